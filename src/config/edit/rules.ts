import { isSeq } from 'yaml';
import { Editor } from './editor.ts';
import { runEdit } from './run.ts';
import { levelChain, locate, type Located } from './target.ts';
import { asArray } from './tree.ts';
import { EditError, type EditResult, type EditTarget } from './types.ts';

// The `rules:` list of one level (defaults, a group, a source, a channel):
// each rule a one-key mapping `"<action> <field>": <value>`, e.g.
// `- block title: "(?i)^sponsored:"`. These edits write the list; what a rule
// means, and whether it is valid, is the schema's to say when the edited
// file is loaded, as for every other edit.

/** A `rules:` entry as the file has it (what it means is the schema's: core's Rule). */
export interface RuleEntry {
  /** `block title`, `keep any`… */
  rule: string;
  value: unknown;
}

export interface ListedRule extends RuleEntry {
  /** 1-based, as `rules remove` takes it. */
  index: number;
}

export interface RuleListing {
  /** The target's own rules. */
  own: ListedRule[];
  /** What it inherits, defaults first: the levels above it with rules. */
  inherited: { from: string; rules: RuleEntry[] }[];
}

/** `"block  title"` → `block title`; refused unless it is two words. */
export function ruleName(input: string): string {
  const words = input.trim().split(/\s+/);
  if (words.length !== 2 || !words[0]) throw new EditError('invalid', `"${input}" is not a rule: a rule is "<action> <field>", e.g. "block title" or "keep tag"`);
  return words.join(' ');
}

function rulesOf(level: Record<string, unknown>): RuleEntry[] {
  return asArray(level.rules as unknown[]).map((r) => {
    const entries = r !== null && typeof r === 'object' && !Array.isArray(r) ? Object.entries(r as Record<string, unknown>) : [];
    return entries.length === 1 ? { rule: entries[0][0], value: entries[0][1] } : { rule: '', value: r };
  });
}

function ruleTarget(editor: Editor, target: EditTarget): Located {
  const at = locate(editor.doc, target);
  if (at.kind === 'site') throw new EditError('invalid', 'site has no rules: put them under defaults, a group, a source or a channel');
  return at;
}

const LEVEL_NAMES = ['defaults', 'group', 'source'];

export function listRules(text: string, target: EditTarget): RuleListing {
  const editor = new Editor(text);
  const at = ruleTarget(editor, target);
  const chain = levelChain(editor.doc, at);
  const own = rulesOf(chain.at(-1)!).map((r, i) => ({ index: i + 1, ...r }));
  const inherited = chain
    .slice(0, -1)
    .map((level, i) => ({ from: i === 0 ? 'defaults' : `${LEVEL_NAMES[i]} ${String(level.name ?? '')}`, rules: rulesOf(level) }))
    .filter((l) => l.rules.length);
  return { own, inherited };
}

export const showRule = (r: RuleEntry) => `${r.rule}: ${JSON.stringify(r.value)}`;

/** Appends `- "<rule>": value` to the target's rules (the value as typed: a pattern or a date is a string). */
export function addRule(text: string, file: string, target: EditTarget, rule: string, value: string): EditResult {
  return runEdit(text, file, (editor) => {
    const name = ruleName(rule);
    const at = ruleTarget(editor, target);
    const item = { [name]: value };
    if (isSeq(editor.doc.getIn([...at.path, 'rules'], true))) editor.append([...at.path, 'rules'], item);
    else editor.setKey(at.path, 'rules', [item]);
    return { changes: [`added rule ${showRule({ rule: name, value })} to ${at.label} (rule ${rulesOf(levelChain(editor.doc, at).at(-1)!).length})`] };
  });
}

/** Removes one rule of the target: by its 1-based index, or by its name (and value, when several rules share the name). */
export function removeRule(text: string, file: string, target: EditTarget, which: number | { rule: string; value?: string }): EditResult {
  return runEdit(text, file, (editor) => {
    const at = ruleTarget(editor, target);
    const rules = rulesOf(levelChain(editor.doc, at).at(-1)!);
    if (!rules.length) throw new EditError('not-found', `${at.label} has no rules of its own`);
    const listing = rules.map((r, i) => `${i + 1}. ${showRule(r)}`).join('; ');
    let index: number;
    if (typeof which === 'number') {
      if (!Number.isInteger(which) || which < 1 || which > rules.length) throw new EditError('not-found', `${at.label} has no rule ${which} (its rules: ${listing})`);
      index = which - 1;
    } else {
      const name = ruleName(which.rule);
      const hits = rules.map((r, i) => ({ r, i })).filter(({ r }) => r.rule === name && (which.value === undefined || String(r.value) === which.value));
      if (!hits.length) throw new EditError('not-found', `${at.label} has no rule ${name}${which.value === undefined ? '' : `: ${JSON.stringify(which.value)}`} (its rules: ${listing})`);
      if (hits.length > 1) throw new EditError('invalid', `${hits.length} rules of ${at.label} are "${name}" (${hits.map(({ i }) => i + 1).join(', ')}): give the value too, or the number (its rules: ${listing})`);
      index = hits[0].i;
    }
    if (rules.length === 1) editor.deleteKey(at.path, 'rules');
    else editor.removeItem([...at.path, 'rules'], index);
    return { changes: [`removed rule ${index + 1} (${showRule(rules[index])}) from ${at.label}`] };
  });
}
