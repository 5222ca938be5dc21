// The loader's own modules, not config/index.ts: every command starts here, and the
// editing and OPML halves of config are only for the commands that use them.
import { ConfigError, formatProblem } from '../config/errors.ts';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load.ts';
import type { RefeedConfig } from '../core/types.ts';
import type { CommandContext } from './command.ts';

/** The config file a command works on: --config, else $REFEED_CONFIG, else the shipped one. */
export function configFileOf(ctx: CommandContext): string {
  return (ctx.values.config as string | undefined) ?? process.env.REFEED_CONFIG ?? DEFAULT_CONFIG_FILE;
}

/** Loads --config (or the shipped default); on any problem prints them all and returns undefined (exit 2). */
export function loadConfigFor(ctx: CommandContext): RefeedConfig | undefined {
  const file = configFileOf(ctx);
  try {
    const config = loadConfig(file);
    for (const w of config.warnings) ctx.logger.warn({ config: file }, w);
    return config;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    ctx.err(`refeed: invalid configuration ${file}`);
    for (const p of e.problems) ctx.err(`  ${formatProblem(p)}`);
    return undefined;
  }
}
