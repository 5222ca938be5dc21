import type { z } from 'zod';
import { closest } from '../util/suggest.ts';
import { formatPath, type ConfigProblem } from './errors.ts';
import { synonymOf } from './key-synonyms.ts';
import { keysAt } from './schema.ts';

// The schema's issues said as a person fixes them: "channel 'World' has no
// url" rather than zod's "expected string, received undefined", a
// did-you-mean for an unknown key (with the other names people use for a key),
// and where a key belongs when it is at the wrong level. One message per
// mistake: a `link:` written for `url:` is one unknown key, not also a missing
// url.

type LineAt = (segs: readonly PropertyKey[]) => number | undefined;
type Raw = Record<string, unknown>;

const isMapping = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const LEVELS: Record<string, 'group' | 'source' | 'channel'> = { groups: 'group', sources: 'source', channels: 'channel' };

function valueAt(raw: unknown, segs: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const s of segs) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[s] : undefined;
  return v;
}

/** `group`, `source` or `channel` when `segs` is an item of one of those lists. */
function levelAt(segs: readonly PropertyKey[]): 'group' | 'source' | 'channel' | undefined {
  return typeof segs[segs.length - 1] === 'number' ? LEVELS[segs[segs.length - 2] as string] : undefined;
}

/** The known key an unknown one stands for: a common other name for it, else the nearest spelling. */
export function meantKey(word: string, known: readonly string[]): string | undefined {
  return synonymOf(word, known) ?? closest(word, known);
}

/** Where a key written at the wrong level belongs, for the keys that name another level. */
function misplaced(key: string, level: string | undefined, atRoot: boolean): string | undefined {
  const layout = 'groups hold sources, sources hold channels, and each channel has a name and a url';
  if (level === 'channel' && (key === 'sources' || key === 'channels' || key === 'groups')) return `a channel is one feed and holds no ${key}: ${layout}`;
  if (level === 'source' && (key === 'sources' || key === 'groups')) return `a source holds channels, not ${key}: ${layout}`;
  if (level === 'group' && (key === 'channels' || key === 'groups')) return `a group holds sources, not ${key}: ${layout}`;
  if ((level === 'group' || level === 'source') && (key === 'url' || key === 'link' || key === 'feed')) return `a ${level} has no url of its own: a url belongs to a channel (${layout})`;
  if (atRoot && (key === 'sources' || key === 'channels' || key === 'feeds')) return `${key} go under groups: ${layout}`;
  return undefined;
}

interface Said {
  problem: ConfigProblem;
  /** An unknown key taken for `meant` in the mapping at `at`: that mapping's missing `meant` is not another mistake. */
  stands?: { at: string; meant: string };
  /** A required key missing from the mapping at `at`. */
  missing?: { at: string; segs: PropertyKey[]; key: string };
}

function say(issue: z.core.$ZodIssue, raw: unknown, lineAt: LineAt): Said[] {
  const segs = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(segs) ?? [];
    const level = levelAt(segs);
    return issue.keys.map((k) => {
      const target = [...segs, k];
      const where = misplaced(k, level, segs.length === 0);
      const meant = where ? undefined : meantKey(k, known);
      const message = `unknown key "${k}"${where ? `: ${where}` : meant ? ` (did you mean "${meant}"?)` : ''}`;
      return { problem: { path: formatPath(target), line: lineAt(target), message }, ...(meant ? { stands: { at: formatPath(segs), meant } } : {}) };
    });
  }
  const value = valueAt(raw, segs);
  const parentSegs = segs.slice(0, -1);
  const level = levelAt(parentSegs);
  const key = segs[segs.length - 1];
  if (issue.code === 'invalid_type' && level && (key === 'url' || key === 'name') && (value === undefined || value === null)) {
    return [{ problem: { path: formatPath(parentSegs), line: lineAt(parentSegs), message: '' }, missing: { at: formatPath(parentSegs), segs: parentSegs, key } }];
  }
  if (issue.code === 'invalid_type') {
    const what = typeof key === 'number' ? (LEVELS[segs[segs.length - 2] as string] ?? 'item') : String(key);
    if (issue.expected === 'array' && isMapping(value)) {
      const item = LEVELS[key as string] ?? 'item';
      return [{ problem: { path: formatPath(segs), line: lineAt(segs), message: `${what} must be a list: begin each ${item} with "- "` } }];
    }
    if (issue.expected === 'object' && Array.isArray(value)) {
      return [{ problem: { path: formatPath(segs), line: lineAt(segs), message: `${what} must be a mapping of keys, not a list: remove the "- "` } }];
    }
    if (issue.expected === 'object' && typeof key === 'number' && LEVELS[segs[segs.length - 2] as string] && (typeof value === 'string' || typeof value === 'number')) {
      return [{ problem: { path: formatPath(segs), line: lineAt(segs), message: `a ${what} is a mapping with a name: - name: ${String(value)}` } }];
    }
    const scalarIssue = scalarType(issue.expected, value, typeof key === 'string' ? key : undefined);
    if (scalarIssue) return [{ problem: { path: formatPath(segs), line: lineAt(segs), message: scalarIssue } }];
  }
  return [{ problem: { path: formatPath(segs), line: lineAt(segs), message: issue.message } }];
}

/** A value of the wrong scalar type, said with the value and the fix. */
function scalarType(expected: string, value: unknown, key: string | undefined): string | undefined {
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  const shown = JSON.stringify(value);
  if (expected === 'boolean') {
    const yamlOne = typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value) ? ' (YAML 1.2 reads yes, no, on and off as text)' : '';
    return `must be true or false, not ${shown}${yamlOne}`;
  }
  if (expected === 'number') return `must be a number, not ${shown}`;
  if (expected === 'int') return `must be a whole number, not ${shown}`;
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `must be text, not the ${typeof value} ${shown}: quote it${key ? `: ${key}: "${String(value)}"` : ''}`;
  }
  return undefined;
}

/** The schema's issues as problems, one per mistake. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], raw: unknown, lineAt: LineAt): ConfigProblem[] {
  const said = issues.flatMap((issue) => say(issue, raw, lineAt));
  const standsFor = new Set(said.flatMap((s) => (s.stands ? [`${s.stands.at}\n${s.stands.meant}`] : [])));
  // The keys each mapping misses, said together: "has no name and no url".
  const missing = new Map<string, { problem: ConfigProblem; segs: PropertyKey[]; keys: string[] }>();
  const out: ConfigProblem[] = [];
  for (const s of said) {
    if (!s.missing) {
      out.push(s.problem);
      continue;
    }
    if (standsFor.has(`${s.missing.at}\n${s.missing.key}`)) continue;
    const entry = missing.get(s.missing.at);
    if (entry) entry.keys.push(s.missing.key);
    else {
      const e = { problem: s.problem, segs: s.missing.segs, keys: [s.missing.key] };
      missing.set(s.missing.at, e);
      out.push(e.problem);
    }
  }
  for (const { problem, segs, keys } of missing.values()) {
    const level = levelAt(segs) ?? 'entry';
    const name = valueAt(raw, [...segs, 'name']);
    const lacks = keys.sort().map((k) => `no ${k}`).join(' and ');
    problem.message = typeof name === 'string' && name && !keys.includes('name') ? `${level} '${name}' has ${lacks}` : `a ${level} at line ${problem.line ?? '?'} has ${lacks}`;
  }
  return out;
}
