import type { Rule, RuleAction, RuleField } from '../core/types.ts';
import { patternProblem } from '../util/re2.ts';
import { didYouMean } from '../util/suggest.ts';

// A rule is written as a one-key mapping, `"<action> <field>": <value>`, the
// way Miniflux and FreshRSS editors read their filters: `block title: "^Ad:"`.
// This module reads that shape for the schema (what is wrong with an entry)
// and for resolve (the Rule it stands for).

export const RULE_ACTIONS: readonly RuleAction[] = ['keep', 'block'];
export const RULE_FIELDS: readonly RuleField[] = ['title', 'link', 'author', 'tag', 'content', 'any', 'before', 'after'];
const DATE_FIELDS = new Set<RuleField>(['before', 'after']);

const EXAMPLE = 'e.g. - block title: "(?i)^sponsored:"';
const orList = (xs: readonly string[]) => `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;

// YYYY-MM-DD, or an ISO 8601 date and time (UTC when it names no offset).
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch ms of a rule's date, or undefined when it is not one refeed reads. */
export function parseRuleDate(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value !== 'string') return undefined;
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  // Date.UTC rolls 2024-02-30 over to March: a date that does not round-trip is not a date.
  const day = new Date(Date.UTC(+y, +mo - 1, +d));
  if (day.getUTCFullYear() !== +y || day.getUTCMonth() !== +mo - 1 || day.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${value.trim().match(/\.\d+/)?.[0] ?? ''}${zone ? (zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone) : 'Z'}`;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : at;
}

/** A rule value as text: YAML reads `keep title: 2024` as a number, meant as the text. */
function valueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return undefined;
}

/** What an editor used to JavaScript or PCRE regexes needs to hear when RE2 refuses their syntax. */
export function re2Note(reason: string): string {
  if (/Perl syntax|escape sequence|\\[1-9]|`\(\?<[=!]/.test(reason)) return ' (RE2 has no lookaround and no backreferences)';
  if (/character class range|\\p\{/.test(reason)) return ' (RE2 names Unicode scripts as \\p{Han}, \\p{Greek})';
  return '';
}

/** The action and field a rule key names, or why it names none. */
export function parseRuleKey(key: string): { action: RuleAction; field: RuleField } | { problem: string } {
  const words = key.trim().split(/\s+/);
  if (words.length !== 2) return { problem: `"${key}" is not "<action> <field>": use ${orList(RULE_ACTIONS)} then ${orList(RULE_FIELDS)}, ${EXAMPLE}` };
  const [action, field] = words.map((w) => w.toLowerCase());
  if (!(RULE_ACTIONS as readonly string[]).includes(action)) {
    return { problem: `unknown rule action "${words[0]}" in "${key}"${didYouMean(action, RULE_ACTIONS)}: use ${orList(RULE_ACTIONS)}` };
  }
  if (!(RULE_FIELDS as readonly string[]).includes(field)) {
    return { problem: `unknown rule field "${words[1]}" in "${key}"${didYouMean(field, RULE_FIELDS)}: use ${orList(RULE_FIELDS)}` };
  }
  return { action: action as RuleAction, field: field as RuleField };
}

/** What is wrong with one entry of a `rules:` list (as `path` below the entry says), or nothing. */
export function ruleEntryProblems(entry: unknown): { path: string[]; message: string }[] {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || entry instanceof Date) {
    return [{ path: [], message: `a rule is one "<action> <field>: <value>" mapping, ${EXAMPLE}` }];
  }
  const keys = Object.keys(entry);
  if (keys.length !== 1) {
    return [{ path: [], message: `a rule has exactly one "<action> <field>" key, this one has ${keys.length}${keys.length ? ` (${keys.join(', ')})` : ''}: write one rule per list item, ${EXAMPLE}` }];
  }
  const [key] = keys;
  const value = (entry as Record<string, unknown>)[key];
  const parsed = parseRuleKey(key);
  if ('problem' in parsed) return [{ path: [key], message: parsed.problem }];
  if (DATE_FIELDS.has(parsed.field)) {
    if (parseRuleDate(value) === undefined) {
      return [{ path: [key], message: `"${String(value ?? '')}" is not a date: ${key} takes YYYY-MM-DD or an ISO 8601 date and time (2024-01-31T12:00:00Z)` }];
    }
    return [];
  }
  const text = valueText(value);
  if (text === undefined) return [{ path: [key], message: `${key} needs a pattern (an RE2 regular expression), ${EXAMPLE}` }];
  const why = patternProblem(text);
  if (why) return [{ path: [key], message: `"${text}" is not an RE2 pattern: ${why}${re2Note(why)}` }];
  return [];
}

/** The Rule a valid entry stands for (the schema has checked it). */
export function toRule(entry: Record<string, unknown>): Rule {
  const [key] = Object.keys(entry);
  const value = entry[key];
  const parsed = parseRuleKey(key);
  if ('problem' in parsed) throw new Error(parsed.problem);
  if (DATE_FIELDS.has(parsed.field)) {
    const at = parseRuleDate(value)!;
    return { ...parsed, value: value instanceof Date ? value.toISOString() : String(value).trim(), at };
  }
  return { ...parsed, value: valueText(value) ?? '' };
}
