import type { ChannelSettings, Rule, RuleField } from '../core/types.ts';
import { RE2JS } from 're2js';
import { compilePattern, type Pattern } from '../util/re2.ts';

// The one evaluator of a channel's keep/block rules, its include/exclude
// aliases and max_age: the ingest runs it on fetched items (so the channel's
// limit goes to items that pass), the publisher on stored ones (so a rule
// change reaches every published feed), preview to say why an item is out.
// Patterns are RE2 (linear in the text), and a content rule reads at most
// MAX_RULE_TEXT characters of the body's text, so a rule on a hostile body
// runs in time bounded by that cap.

/** Characters of an item's body text that content/any rules read (256 Ki): a 20 MB body costs no more than this. */
export const MAX_RULE_TEXT = 256 * 1024;

/** What rules read of an item. Text fields absent are empty; the body's text is asked for only when a rule needs it. */
export interface RuleSubject {
  title?: string;
  link?: string;
  author?: string;
  tags?: readonly string[];
  /** The body's text, HTML stripped (called at most once, and only by content/any rules). */
  text?: () => string;
  /** Epoch ms; undefined when the item has none (date rules and max_age then let it pass). */
  date?: number;
}

export type Verdict = { kept: true } | { kept: false; reason: string };

export interface ItemRules {
  /** No rule, alias nor max_age: every item passes (callers skip the evaluation). */
  readonly empty: boolean;
  /** Some rule reads author, tags or the body (not only title, link and date). */
  readonly needsContent: boolean;
  /** max_age: the one part of the verdict that changes with the time of evaluation. */
  readonly maxAgeMs?: number;
  /** Equal for channels whose rules judge every item alike; '' when empty. */
  readonly fingerprint: string;
  /** The verdict on `item`; without `now`, max_age is left out (what stays true as time passes: a verdict to cache). */
  judge(item: RuleSubject, now?: number): Verdict;
}

interface Compiled {
  action: 'keep' | 'block';
  field: RuleField;
  label: string;
  pattern?: Pattern;
  at?: number;
}

const KEPT: Verdict = { kept: true };

/** How a rule reads in the config, and in preview's reasons: `block title: "(?i)^sponsored:"`. */
export function ruleLabel(rule: Pick<Rule, 'action' | 'field' | 'value'>): string {
  return `${rule.action} ${rule.field}: ${JSON.stringify(rule.value)}`;
}

/** The channel's rules as one evaluator: blocks win over keeps, then max_age. Compiled once per channel. */
export function compileRules(settings: Pick<ChannelSettings, 'rules' | 'include' | 'exclude' | 'maxAgeMs'>): ItemRules {
  const rules: Compiled[] = [];
  const add = (r: Rule, label: string, caseInsensitive = false) => {
    const compiled: Compiled = { action: r.action, field: r.field, label };
    if (r.field === 'before' || r.field === 'after') compiled.at = r.at;
    else {
      try {
        compiled.pattern = compilePattern(r.value, { caseInsensitive });
      } catch {
        // The config validated it; one that still fails (settings not read from a file) is matched as literal text, never dropped.
        compiled.pattern = compilePattern(RE2JS.quote(r.value), { caseInsensitive });
      }
    }
    rules.push(compiled);
  };
  for (const r of settings.rules ?? []) add(r, ruleLabel(r));
  for (const p of asList(settings.include)) add({ action: 'keep', field: 'any', value: p }, `include: ${JSON.stringify(p)}`, true);
  for (const p of asList(settings.exclude)) add({ action: 'block', field: 'any', value: p }, `exclude: ${JSON.stringify(p)}`, true);
  const maxAge = typeof settings.maxAgeMs === 'number' && settings.maxAgeMs >= 0 ? settings.maxAgeMs : undefined;
  const blocks = rules.filter((r) => r.action === 'block');
  const keeps = rules.filter((r) => r.action === 'keep');
  const empty = rules.length === 0 && maxAge === undefined;
  const agedOut: Verdict = { kept: false, reason: `older than max_age (${formatAge(maxAge ?? 0)})` };
  const tooOld = (date: number, now: number) => maxAge !== undefined && now - date > maxAge;
  const fingerprint = empty ? '' : JSON.stringify({ rules: rules.map((r) => r.label), maxAge });
  return {
    empty,
    needsContent: rules.some((r) => r.field === 'author' || r.field === 'tag' || r.field === 'content' || r.field === 'any'),
    ...(maxAge !== undefined ? { maxAgeMs: maxAge } : {}),
    fingerprint,
    judge(item, now) {
      if (empty) return KEPT;
      let text: string | undefined;
      let any: string | undefined;
      const read = {
        body: () => (text ??= cap(item.text?.() ?? '')),
        any: () => (any ??= `${item.title ?? ''}\n${read.body()}`),
      };
      const matches = (r: Compiled) => matchesRule(r, item, read);
      const block = blocks.find(matches);
      if (block) return { kept: false, reason: block.label };
      if (keeps.length && !keeps.some(matches)) return { kept: false, reason: keeps.length === 1 ? `not matched by ${keeps[0].label}` : `matched by none of the ${keeps.length} keep rules` };
      if (now !== undefined && item.date !== undefined && tooOld(item.date, now)) return agedOut;
      return KEPT;
    },
  };
}

function matchesRule(r: Compiled, item: RuleSubject, read: { body: () => string; any: () => string }): boolean {
  switch (r.field) {
    case 'before':
      return item.date !== undefined && item.date < r.at!;
    case 'after':
      return item.date !== undefined && item.date >= r.at!;
    case 'title':
      return r.pattern!.test(item.title ?? '');
    case 'link':
      return r.pattern!.test(item.link ?? '');
    case 'author':
      return r.pattern!.test(item.author ?? '');
    case 'tag':
      return (item.tags ?? []).some((t) => r.pattern!.test(t));
    case 'content':
      return r.pattern!.test(read.body());
    case 'any':
      // What include/exclude always tested: the title and the body's text, one after the other.
      return r.pattern!.test(read.any());
  }
}

function cap(text: string): string {
  if (text.length <= MAX_RULE_TEXT) return text;
  // Not between the two halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text[MAX_RULE_TEXT - 1]) ? MAX_RULE_TEXT - 1 : MAX_RULE_TEXT;
  return text.slice(0, end);
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && p !== '') : typeof v === 'string' && v ? [v] : []);

function formatAge(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [n, u] of units) if (ms >= n && ms % n === 0) return `${ms / n}${u}`;
  return `${ms}ms`;
}
