import { chmodSync, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE, EditError, formatProblem, parseConfig } from '../config/index.ts';
import type { RefeedConfig } from '../core/types.ts';
import { loadConfigFor } from './load-config.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { EXIT, type CommandContext } from './command.ts';

/** The config text, or undefined after telling the user why it can't be read. */
export function readConfigText(ctx: CommandContext, file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    ctx.err(`refeed: cannot read configuration ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Replaces the config file with `next`, atomically and keeping its mode; a
 * symlinked config keeps its link. Refuses when the file changed since it was
 * read (another edit, an editor's save) rather than overwrite that change.
 */
export function commitConfig(file: string, original: string, next: string): void {
  const target = realpathSync(file);
  if (readFileSync(target, 'utf8') !== original) throw new Error(`${file} changed while it was being edited; nothing written, run the command again`);
  const mode = statSync(target).mode & 0o7777;
  writeFileAtomic(target, next);
  chmodSync(target, mode);
}

/** Prints a refused edit and returns its exit code: 2 when the file itself is invalid, 1 otherwise. */
export function reportEditError(ctx: CommandContext, prefix: string, file: string, e: EditError): number {
  if (e.code === 'bad-config') {
    ctx.err(`refeed: invalid configuration ${file}`);
    for (const p of e.problems) ctx.err(`  ${formatProblem(p)}`);
    return EXIT.badConfig;
  }
  ctx.err(`${prefix}: ${e.message}; ${file} not changed`);
  return EXIT.failed;
}

/**
 * The configuration for commands that can work without one (discover,
 * preview): the named or default file when there is one — an invalid one is
 * still exit 2 — else the built-in defaults.
 */
export async function optionalConfig(ctx: CommandContext): Promise<{ config: RefeedConfig; fromFile: boolean } | undefined> {
  const named = ctx.values.config !== undefined || process.env.REFEED_CONFIG !== undefined;
  if (named || existsSync(DEFAULT_CONFIG_FILE)) {
    const config = await loadConfigFor(ctx);
    return config ? { config, fromFile: true } : undefined;
  }
  return { config: parseConfig('groups: []\n', path.resolve('refeed.yaml')), fromFile: false };
}
