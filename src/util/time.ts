// Dates refeed prints as data — status, /healthz, sources --json, logs — are
// one format: ISO 8601 in UTC.

/** `2024-05-01T10:00:00.000Z`, or null for no time. */
export function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** The same instant to the second, for tables and messages: `2024-05-01T10:00:00Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
