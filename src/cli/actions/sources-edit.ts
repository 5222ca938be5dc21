import { createTwoFilesPatch } from 'diff';
import {
  addRule,
  EditError,
  listRules,
  moveChannel,
  removeRule,
  renameEntry,
  setEnabled,
  setSetting,
  showRule,
  unsetSetting,
  type EditResult,
  type EditTarget,
  type RemoveTarget,
} from '../../config/index.ts';
import type { KeptSlug } from '../../core/types.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { SOURCES_USAGE } from '../commands/sources.ts';
import { commitConfig, readConfigText, reportEditError } from '../config-file.ts';
import { configFileOf, loadKeepingSlugs } from '../load-config.ts';

// The edits of `refeed sources` beyond add and remove: rename, move, enable,
// disable, set, unset and rules. Each reads the file, edits it in memory (see
// config/edit), and writes it atomically — or, with --dry-run, prints the
// unified diff of what it would write and writes nothing.

function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** The unified diff of the file before and after an edit ('' when nothing changes). */
export function editDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  // jsdiff starts with `Index:` and a rule, which patch(1) and git apply do not need: the diff starts at `---`.
  return createTwoFilesPatch(file, file, before, after, 'before', 'after', { context: 3 }).replace(/^Index: .*\n=+\n/, '');
}

/** Writes the edit (or, with --dry-run, prints its diff on stdout) and says what changed on stderr. */
export function finishEdit(ctx: CommandContext, file: string, original: string, result: EditResult): number {
  const dry = ctx.values['dry-run'] === true;
  const changed = result.text !== original;
  if (dry) {
    const diff = editDiff(file, original, result.text);
    if (diff) ctx.out(diff.replace(/\n$/, ''));
  } else if (changed) commitConfig(file, original, result.text);
  for (const c of result.changes) ctx.err(dry && changed ? `would have ${c}` : c);
  for (const w of result.warnings) ctx.err(`warning: ${w}`);
  ctx.err(!changed ? `${file} not changed` : dry ? `dry run: ${file} not changed` : `wrote ${file}`);
  return EXIT.ok;
}

class UsageError extends Error {}

/**
 * The target of an edit and the positionals after it: --group [--source
 * [--channel]] when given, else the first positional — a channel's URL,
 * `defaults` or `site`.
 */
function targetAndRest(ctx: CommandContext, levels: readonly ('defaults' | 'site')[]): { target: EditTarget; rest: string[] } {
  const [, ...args] = ctx.positionals;
  const group = str(ctx, 'group');
  const source = str(ctx, 'source');
  const channel = str(ctx, 'channel');
  if (group !== undefined || source !== undefined || channel !== undefined) {
    if (group === undefined || (channel !== undefined && source === undefined)) throw new UsageError('name a channel by --group, --source and --channel together (a source by --group and --source)');
    return { target: { group, source, channel }, rest: args };
  }
  const [first, ...rest] = args;
  if (first !== undefined && (levels as readonly string[]).includes(first)) return { target: { level: first as 'defaults' | 'site' }, rest };
  if (first !== undefined && /^https?:\/\//i.test(first)) return { target: { url: first }, rest };
  const also = levels.length ? `, ${levels.join(' or ')}` : '';
  throw new UsageError(first === undefined ? `missing target: --group G [--source S [--channel C]], a channel's URL${also}` : `"${first}" is not a target: name it with --group G [--source S [--channel C]], a channel's URL${also}`);
}

function asChannelTarget(target: EditTarget): RemoveTarget {
  if ('level' in target) throw new UsageError(`${target.level} cannot be renamed or moved`);
  return target;
}

/** Slugs the loaded configuration keeps for names because the state uses them (read only when some name's slug changed since refeed 0.1). */
async function keptSlugs(ctx: CommandContext, file: string): Promise<KeptSlug[]> {
  try {
    return (await loadKeepingSlugs(ctx, file)).keptSlugs;
  } catch {
    return []; // an invalid file is reported by the edit itself
  }
}

type Edit = (text: string, file: string) => EditResult | Promise<EditResult>;

async function editFile(ctx: CommandContext, name: string, plan: () => Promise<Edit> | Edit): Promise<number> {
  const prefix = `refeed sources ${name}`;
  let edit: Edit;
  try {
    edit = await plan();
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.err(`${prefix}: ${e.message}\n\n${SOURCES_USAGE}`);
      return EXIT.usage;
    }
    throw e;
  }
  const file = configFileOf(ctx);
  const text = readConfigText(ctx, file);
  if (text === undefined) return EXIT.badConfig;
  try {
    return finishEdit(ctx, file, text, await edit(text, file));
  } catch (e) {
    if (e instanceof EditError) return reportEditError(ctx, prefix, file, e);
    throw e;
  }
}

function expect(rest: string[], names: string[], optional = 0): string[] {
  const min = names.length - optional;
  if (rest.length < min) throw new UsageError(`missing ${names.slice(rest.length).join(', ')}`);
  if (rest.length > names.length) throw new UsageError(`unexpected ${rest.slice(names.length).join(' ')}`);
  return rest;
}

export function rename(ctx: CommandContext): Promise<number> {
  return editFile(ctx, 'rename', async () => {
    const { target, rest } = targetAndRest(ctx, []);
    const [name] = expect(rest, ['NEW-NAME']);
    const slug = str(ctx, 'slug');
    const moveFeeds = ctx.values['move-feeds'] === true;
    if (slug !== undefined && moveFeeds) throw new UsageError('--slug and --move-feeds: give one');
    const kept = await keptSlugs(ctx, configFileOf(ctx));
    return (text, file) => renameEntry(text, file, asChannelTarget(target), name, { slug, moveFeeds, kept });
  });
}

export function move(ctx: CommandContext): Promise<number> {
  return editFile(ctx, 'move', () => {
    const { target, rest } = targetAndRest(ctx, []);
    expect(rest, []);
    const group = str(ctx, 'to-group');
    const source = str(ctx, 'to-source');
    if (group === undefined || source === undefined) throw new UsageError(`missing ${[group === undefined && '--to-group', source === undefined && '--to-source'].filter(Boolean).join(', ')}`);
    const opts = { create: ctx.values.create === true, keepEmptySource: ctx.values['keep-empty'] === true };
    return (text, file) => moveChannel(text, file, asChannelTarget(target), { group, source }, opts);
  });
}

export function enable(ctx: CommandContext, on: boolean): Promise<number> {
  return editFile(ctx, on ? 'enable' : 'disable', () => {
    const { target, rest } = targetAndRest(ctx, ['defaults']);
    expect(rest, []);
    return (text, file) => setEnabled(text, file, target, on);
  });
}

export function set(ctx: CommandContext): Promise<number> {
  return editFile(ctx, 'set', () => {
    const { target, rest } = targetAndRest(ctx, ['defaults', 'site']);
    const [key, value] = expect(rest, ['KEY', 'VALUE']);
    return (text, file) => setSetting(text, file, target, key, value);
  });
}

export function unset(ctx: CommandContext): Promise<number> {
  return editFile(ctx, 'unset', () => {
    const { target, rest } = targetAndRest(ctx, ['defaults', 'site']);
    const [key] = expect(rest, ['KEY']);
    return (text, file) => unsetSetting(text, file, target, key);
  });
}

/** `rules add|remove|list`: the positionals after `rules` are the action's. */
export async function rules(ctx: CommandContext): Promise<number> {
  const [, action, ...more] = ctx.positionals;
  const sub: CommandContext = { ...ctx, positionals: [`rules ${action ?? ''}`, ...more] };
  if (action === 'add') {
    return editFile(sub, 'rules add', () => {
      const { target, rest } = targetAndRest(sub, ['defaults']);
      const [rule, value] = expect(rest, ['"<action> <field>"', 'VALUE']);
      return (text, file) => addRule(text, file, target, rule, value);
    });
  }
  if (action === 'remove' || action === 'rm') {
    return editFile(sub, 'rules remove', () => {
      const { target, rest } = targetAndRest(sub, ['defaults']);
      const [which, value] = expect(rest, ['NUMBER | "<action> <field>"', 'VALUE'], 1);
      const pick = /^\d+$/.test(which) ? Number(which) : { rule: which, value };
      if (typeof pick === 'number' && value !== undefined) throw new UsageError(`unexpected ${value}`);
      return (text, file) => removeRule(text, file, target, pick);
    });
  }
  if (action === 'list' || action === 'ls') return listRulesOf(sub);
  ctx.err(`refeed sources rules: ${action === undefined ? 'missing add, remove or list' : `unknown action "${action}"`}\n\n${SOURCES_USAGE}`);
  return EXIT.usage;
}

function listRulesOf(ctx: CommandContext): number {
  let target: EditTarget;
  try {
    const parsed = targetAndRest(ctx, ['defaults']);
    expect(parsed.rest, []);
    target = parsed.target;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    ctx.err(`refeed sources rules list: ${e.message}\n\n${SOURCES_USAGE}`);
    return EXIT.usage;
  }
  const file = configFileOf(ctx);
  const text = readConfigText(ctx, file);
  if (text === undefined) return EXIT.badConfig;
  try {
    const listing = listRules(text, target);
    if (ctx.values.json) {
      ctx.out(JSON.stringify(listing, null, 2));
      return EXIT.ok;
    }
    const lines: string[] = [];
    for (const level of listing.inherited) lines.push(`inherited from ${level.from}:`, ...level.rules.map((r) => `   ${showRule(r)}`));
    if (listing.own.length) lines.push(...(listing.inherited.length ? ['its own:'] : []), ...listing.own.map((r) => `${String(r.index).padStart(2)}. ${showRule(r)}`));
    if (lines.length) ctx.out(lines.join('\n'));
    if (!listing.own.length) ctx.err('no rules of its own (add one with: refeed sources rules add TARGET "block title" PATTERN)');
    return EXIT.ok;
  } catch (e) {
    if (e instanceof EditError) return reportEditError(ctx, 'refeed sources rules list', file, e);
    throw e;
  }
}
