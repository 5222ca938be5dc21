import pino, { type Logger } from 'pino';

export type { Logger };

// Logs go to stderr so that commands printing data (export, preview,
// `status --json`) keep stdout clean. Lines are JSON with an ISO 8601 UTC
// `time`, the one date format refeed prints as data. A person at a terminal
// gets one readable line per event instead (pino-pretty, loaded only then:
// it runs in a worker thread of its own).
/** pino-pretty's options on a terminal: one line per event, the time of day, no pid or host. */
export const PRETTY_OPTIONS = { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' };

/**
 * pino-pretty prints an `err` over several lines whatever singleLine says:
 * on a terminal it becomes one `reason` field, `Type: message` (the stack is
 * in the JSON logs, for bug reports).
 */
export function oneLineErrors(obj: Record<string, unknown>): Record<string, unknown> {
  const err = obj.err as { name?: unknown; type?: unknown; message?: unknown; code?: unknown } | undefined;
  if (err === undefined || err === null || typeof err !== 'object') return obj;
  const { err: _, ...rest } = obj;
  const kind = String(err.type ?? err.name ?? 'Error');
  return { ...rest, reason: `${kind}${err.code ? ` (${String(err.code)})` : ''}: ${String(err.message ?? '')}` };
}

export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.REFEED_LOG_LEVEL ?? 'info';
  const pretty = opts.pretty ?? (process.stderr.isTTY === true && !process.env.CI);
  if (pretty) {
    return pino({
      level,
      formatters: { log: oneLineErrors },
      transport: {
        target: 'pino-pretty',
        options: { ...PRETTY_OPTIONS, destination: 2 },
      },
    });
  }
  return pino({ level, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything: for pure functions' tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
