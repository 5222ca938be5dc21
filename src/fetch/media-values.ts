// Enclosure sizes and durations as feeds write them. Anything that is not a
// plain, plausible number is treated as absent: a wrong length or duration is
// worse for a podcast app than none.

/** Longest value looked at: a real size or duration is a few characters; longer text is not one. */
const MAX_CHARS = 32;
const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;
// itunes:duration: H:MM:SS, MM:SS (minutes may exceed 59), each with optional fractional seconds.
const CLOCK = /^(?:(\d+):([0-5]?\d)|(\d+)):([0-5]?\d)(?:\.\d+)?$/;

function trimmed(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t && t.length <= MAX_CHARS ? t : undefined;
}

/** A size in bytes (RSS enclosure length, Atom link length, media:content fileSize, JSON Feed size_in_bytes); 0 means unknown. */
export function byteLength(value: unknown): number | undefined {
  const t = trimmed(value);
  if (t === undefined || !INTEGER.test(t)) return undefined;
  const n = Number(t);
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * A playing time in whole seconds: plain seconds (`3600`, `1234.5`) or a
 * clock (`1:02:03`, `62:03`), as itunes:duration, media:content duration and
 * JSON Feed duration_in_seconds give it; 0 means unknown.
 */
export function durationSeconds(value: unknown): number | undefined {
  const t = trimmed(value);
  if (t === undefined) return undefined;
  let seconds: number;
  if (DECIMAL.test(t)) seconds = Math.round(Number(t));
  else {
    const m = CLOCK.exec(t);
    if (!m) return undefined;
    const hours = m[1] !== undefined ? Number(m[1]) : 0;
    const minutes = Number(m[2] ?? m[3]);
    seconds = hours * 3600 + minutes * 60 + Number(m[4]);
  }
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}
