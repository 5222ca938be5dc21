import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
// The loader's own modules, not config/index.ts: every command starts here, and the
// editing and OPML halves of config are only for the commands that use them.
import { ConfigError, formatProblem } from '../config/errors.ts';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load.ts';
import type { ChannelState, RefeedConfig } from '../core/types.ts';
import type { CommandContext } from './command.ts';
import { readChannelStates } from './store-access.ts';

/** The config file a command works on: --config, else $REFEED_CONFIG, else the shipped one. */
export function configFileOf(ctx: CommandContext): string {
  return (ctx.values.config as string | undefined) ?? process.env.REFEED_CONFIG ?? DEFAULT_CONFIG_FILE;
}

/** Every key and key prefix (`g`, `g/s`, `g/s/c`) of `keys`. */
function keyPrefixes(keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const key of keys) {
    const parts = key.split('/');
    for (let n = 1; n <= parts.length; n++) out.add(parts.slice(0, n).join('/'));
  }
  return out;
}

/** Category folders that hold a published feed (`g/`, `g/s/`, `g/s/c/` with an rss.xml), as keys. */
function publishedKeys(output: string): string[] {
  const keys: string[] = [];
  const walk = (dir: string, key: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'articles' || e.name.startsWith('.')) continue;
      const k = key ? `${key}/${e.name}` : e.name;
      if (existsSync(path.join(dir, e.name, 'rss.xml'))) keys.push(k);
      if (depth < 3) walk(path.join(dir, e.name), k, depth + 1);
    }
  };
  walk(output, '', 1);
  return keys;
}

/**
 * Loads the configuration keeping the slugs stored channels and published
 * feeds already use (see resolve.ts): the state and the output folder are
 * read only when some name's slug changed since refeed 0.1. Throws ConfigError.
 */
export async function loadKeepingSlugs(ctx: CommandContext, file: string): Promise<RefeedConfig> {
  const config = loadConfig(file);
  // Only a name whose slug changed since refeed 0.1 can have a stored slug to keep.
  if (!config.slugsDifferFromLegacy) return config;
  // A damaged or unreachable state is for the command to report (or, for reindex, to rebuild): the published folders still tell.
  const stored = await readChannelStates(ctx, config).catch(() => new Map<string, ChannelState>());
  const keys = keyPrefixes([...stored.keys(), ...publishedKeys(config.site.output)]);
  return keys.size ? loadConfig(file, process.env, { storedKeys: keys }) : config;
}

/** Loads --config (or the shipped default); on any problem prints them all and returns undefined (exit 2). */
export async function loadConfigFor(ctx: CommandContext): Promise<RefeedConfig | undefined> {
  const file = configFileOf(ctx);
  try {
    const config = await loadKeepingSlugs(ctx, file);
    for (const w of config.warnings) ctx.logger.warn({ config: file }, formatProblem(w));
    return config;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    ctx.err(`refeed: invalid configuration ${file}`);
    for (const p of e.problems) ctx.err(`  ${formatProblem(p)}`);
    return undefined;
  }
}
