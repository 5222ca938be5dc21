import type { ParseArgsConfig } from 'node:util';
import type { Logger } from '../core/log.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  logger: Logger;
  /** Data output (tables, JSON, exports): stdout. Logs never go here. */
  out: (text: string) => void;
  /** Human messages that are not data (summaries, progress): stderr. */
  err: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM for long-running commands. */
  signal: AbortSignal;
}

/** What a command does: returns the process exit code. */
export type CommandAction = (ctx: CommandContext) => Promise<number>;

/**
 * A command as the CLI lists and parses it: plain data, so that `--help` and
 * argument errors load nothing else. The code that runs it is loaded only
 * when it runs (`load`), so a process loads the modules of one command.
 */
export interface Command {
  name: string;
  summary: string;
  /** Full help text shown by `refeed <name> --help`, after the usage line. */
  help: string;
  usage: string;
  options: OptionSpec;
  load(): Promise<CommandAction>;
}

/** Exit codes shared by all commands. */
export const EXIT = { ok: 0, failed: 1, badConfig: 2, usage: 64 } as const;

/** Options every command that reads the configuration accepts. */
export const configOption: OptionSpec = {
  config: { type: 'string', short: 'c' },
};
