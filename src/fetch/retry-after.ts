// Retry-After (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date.
// Anything else is ignored rather than guessed at.

/** Seconds to wait from `now`, or undefined when the header is absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  // HTTP-dates always name a weekday or month; requiring a letter keeps
  // Date.parse from reading bare numbers like "1.5" or "-3" as dates.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
