import { ConfigError, type ConfigProblem } from '../../config/index.ts';
import type { KeptSlug, RefeedConfig } from '../../core/types.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { configFileOf, loadKeepingSlugs } from '../load-config.ts';
import { describeSync, previewChannelSync } from '../store-access.ts';

function counts(config: RefeedConfig) {
  const sources = config.groups.reduce((n, g) => n + g.sources.length, 0);
  const enabled = config.channels.filter((c) => c.settings.enabled).length;
  return { groups: config.groups.length, sources, channels: config.channels.length, enabled };
}

/** `file:line: path: message`, the shape editors and CI logs turn into links; a warning says so after the line. */
export function problemLine(file: string, p: ConfigProblem, kind = ''): string {
  return `${file}${p.line ? `:${p.line}` : ''}: ${kind ? `${kind}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** What a kept slug means for the user, and how to switch. */
function keptLine(file: string, k: KeptSlug): string {
  return problemLine(
    file,
    { path: k.path, line: k.line, message: `"${k.name}" keeps its slug "${k.slug}" (its channels' history and feed URLs are stored under it); refeed now makes "${k.readable}" of the name: set slug: ${k.readable} to switch (the history moves with it, and subscribers' feed URLs change)` },
    'note',
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function run(ctx: CommandContext): Promise<number> {
  const file = configFileOf(ctx);
  const json = ctx.values.json === true;
  let config: RefeedConfig;
  try {
    config = await loadKeepingSlugs(ctx, file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (json) ctx.out(JSON.stringify({ ok: false, file, problems: e.problems, warnings: e.warnings }, null, 2));
    else {
      const lines = [...e.problems.map((p) => [p, '' as const] as const), ...e.warnings.map((w) => [w, 'warning' as const] as const)];
      lines.sort(([a], [b]) => (a.line ?? Infinity) - (b.line ?? Infinity));
      for (const [p, kind] of lines) ctx.out(problemLine(file, p, kind));
      ctx.out(`${plural(e.problems.length, 'problem')} in ${file}${e.warnings.length ? `, ${plural(e.warnings.length, 'warning')}` : ''}`);
    }
    return EXIT.badConfig;
  }
  const n = counts(config);
  const changes = await previewChannelSync(ctx, config);
  if (json) {
    const pending = changes ? { renamed: changes.renamed, removed: changes.removed } : { renamed: [], removed: [] };
    ctx.out(JSON.stringify({ ok: true, file, problems: [], warnings: config.warnings, keptSlugs: config.keptSlugs, counts: n, changes: pending }, null, 2));
    return EXIT.ok;
  }
  for (const w of config.warnings) ctx.out(problemLine(file, w, 'warning'));
  for (const k of config.keptSlugs) ctx.out(keptLine(file, k));
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
