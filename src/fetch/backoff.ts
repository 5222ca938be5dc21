// When a failing channel may be fetched again: exponential backoff from one
// minute, doubling per consecutive failure, capped at a day; a server's
// Retry-After wins when it asks for longer (and is capped the same way).

export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_CAP_MS = 24 * 3_600_000;

export function backoffDelayMs(consecutiveFailures: number, retryAfterSec?: number): number {
  const n = Math.max(1, consecutiveFailures);
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 30));
  const asked = retryAfterSec !== undefined && retryAfterSec > 0 ? Math.min(BACKOFF_CAP_MS, retryAfterSec * 1000) : 0;
  return Math.max(exp, asked);
}
