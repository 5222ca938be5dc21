import { StateCorruptError, StateMissingError, StoreUnavailableError } from '../store/errors.ts';

/**
 * Why /healthz could not be answered, as a monitor may show it: what failed
 * and where (a state server as host:port/database), never a password or a
 * local path. An error nobody expected is named by its code or type only;
 * the log has the rest.
 */
export function healthFailureReason(err: unknown): string {
  if (err instanceof StoreUnavailableError) return err.message;
  if (err instanceof StateCorruptError) return `the state database is corrupt (${err.reason}); run \`refeed reindex\` to rebuild it from the article files`;
  if (err instanceof StateMissingError) return 'the state database holds no refeed state';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return `the state could not be read (${code}); see the log`;
  const name = err instanceof Error ? err.name : typeof err;
  return `the state could not be read (${name}); see the log`;
}
