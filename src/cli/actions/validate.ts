import { ConfigError, loadConfig, type ConfigProblem } from '../../config/index.ts';
import type { RefeedConfig } from '../../core/types.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { configFileOf } from '../load-config.ts';
import { describeSync, previewChannelSync } from '../store-access.ts';

function counts(config: RefeedConfig) {
  const sources = config.groups.reduce((n, g) => n + g.sources.length, 0);
  const enabled = config.channels.filter((c) => c.settings.enabled).length;
  return { groups: config.groups.length, sources, channels: config.channels.length, enabled };
}

/** `file:line: path: message`, the shape editors and CI logs turn into links. */
export function problemLine(file: string, p: ConfigProblem): string {
  return `${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function run(ctx: CommandContext): Promise<number> {
  const file = configFileOf(ctx);
  const json = ctx.values.json === true;
  let config: RefeedConfig;
  try {
    config = loadConfig(file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (json) ctx.out(JSON.stringify({ ok: false, file, problems: e.problems, warnings: [] }, null, 2));
    else {
      for (const p of e.problems) ctx.out(problemLine(file, p));
      ctx.out(`${plural(e.problems.length, 'problem')} in ${file}`);
    }
    return EXIT.badConfig;
  }
  const n = counts(config);
  const changes = await previewChannelSync(ctx, config);
  if (json) {
    const pending = changes ? { renamed: changes.renamed, removed: changes.removed } : { renamed: [], removed: [] };
    ctx.out(JSON.stringify({ ok: true, file, problems: [], warnings: config.warnings, counts: n, changes: pending }, null, 2));
    return EXIT.ok;
  }
  for (const w of config.warnings) ctx.out(`${file}: warning: ${w}`);
  for (const line of describeSync(changes)) ctx.out(`${file}: note: ${line}`);
  const disabled = n.channels - n.enabled;
  ctx.out(
    `${file}: OK — ${plural(n.groups, 'group')}, ${plural(n.sources, 'source')}, ${plural(n.channels, 'channel')}` +
      (disabled ? ` (${disabled} disabled)` : '') +
      (config.warnings.length ? `, ${plural(config.warnings.length, 'warning')}` : ''),
  );
  if (n.channels === 0) ctx.out(`${file}: warning: no channels configured yet (refeed sources add, refeed opml import)`);
  return EXIT.ok;
}
