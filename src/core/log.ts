import pino, { type Logger } from 'pino';

export type { Logger };

// Logs go to stderr so that commands printing data (export, preview,
// `status --json`) keep stdout clean. Pretty output only for a human at a TTY.
export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.REFEED_LOG_LEVEL ?? 'info';
  const pretty = opts.pretty ?? (process.stderr.isTTY === true && !process.env.CI);
  if (pretty) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything: for pure functions' tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
