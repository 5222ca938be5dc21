import { isDeepStrictEqual } from 'node:util';
import { runEdit } from './run.ts';
import { levelChain, locate, type Located } from './target.ts';
import { EditError, type EditResult, type EditTarget } from './types.ts';
import { readValue } from './value.ts';

// Settings at one level (site, defaults, a group, a source, a channel): set,
// unset, enable, disable. Each changes the one key's lines; the schema that
// loads the file judges the value.

/** Keys that are not settings: the tree's structure and names have their own commands. */
const NOT_SETTINGS: Record<string, string> = {
  name: 'rename it with: refeed sources rename',
  groups: 'add or remove groups with: refeed sources add / remove',
  sources: 'add, remove or move sources with: refeed sources add / remove / move',
  channels: 'add, remove or move channels with: refeed sources add / remove / move',
  rules: 'edit rules with: refeed sources rules add / remove',
};

function checkKey(at: Located, key: string, unset = false): void {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) throw new EditError('invalid', `"${key}" is not a setting name`);
  // Unsetting rules drops them all, which needs no syntax of its own.
  if (unset && key === 'rules') return;
  if (at.kind !== 'site' && NOT_SETTINGS[key]) throw new EditError('invalid', `${key} is not a setting: ${NOT_SETTINGS[key]}`);
}

const shown = (v: unknown) => JSON.stringify(v);

function setTyped(text: string, file: string, target: EditTarget, key: string, value: unknown): EditResult {
  return runEdit(text, file, (editor) => {
    const at = locate(editor.doc, target);
    checkKey(at, key);
    const current = levelChain(editor.doc, at).at(-1)!;
    const js = value !== null && typeof value === 'object' && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value;
    if (key in current && isDeepStrictEqual(current[key], js)) return { changes: [`${at.label} already has ${key}: ${shown(js)}; nothing to change`] };
    editor.setKey(at.path, key, value, key === 'slug' ? { after: 'name' } : {});
    return { changes: [`set ${key}: ${shown(js)} on ${at.label}${key in current ? ` (was ${shown(current[key])})` : ''}`] };
  });
}

/**
 * Sets `key` at the target to `input` read as a YAML value (see value.ts).
 * When that reading is refused by the schema but the text as typed is a fine
 * string (`user_agent 1.0`), the string is written.
 */
export function setSetting(text: string, file: string, target: EditTarget, key: string, input: string): EditResult {
  const read = readValue(input);
  try {
    return setTyped(text, file, target, key, read.value);
  } catch (e) {
    if (!(e instanceof EditError) || e.code !== 'invalid' || !read.typed) throw e;
    try {
      return setTyped(text, file, target, key, input);
    } catch {
      throw e;
    }
  }
}

/** Removes `key` at the target (it then inherits, or takes the default). */
export function unsetSetting(text: string, file: string, target: EditTarget, key: string): EditResult {
  return runEdit(text, file, (editor) => {
    const at = locate(editor.doc, target);
    checkKey(at, key, true);
    if (!editor.deleteKey(at.path, key)) return { changes: [`${at.label} has no ${key} of its own; nothing to change`] };
    return { changes: [`unset ${key} on ${at.label}`] };
  });
}

/**
 * `disable` writes `enabled: false` at the target; `enable` removes it. A
 * level under a disabled one stays off whatever it says (see resolve.ts):
 * enable then says which level above keeps it off.
 */
export function setEnabled(text: string, file: string, target: EditTarget, enabled: boolean): EditResult {
  return runEdit(text, file, (editor) => {
    const at = locate(editor.doc, target);
    if (at.kind === 'site') throw new EditError('invalid', 'site has no enabled setting: enable or disable defaults, a group, a source or a channel');
    const chain = levelChain(editor.doc, at);
    const own = chain.at(-1)!.enabled;
    if (!enabled) {
      if (own === false) return { changes: [`${at.label} is already disabled; nothing to change`] };
      editor.setKey(at.path, 'enabled', false);
      return { changes: [`disabled ${at.label} (enabled: false)`] };
    }
    const changes: string[] = [];
    if (own === false) {
      editor.deleteKey(at.path, 'enabled');
      changes.push(`enabled ${at.label} (enabled: false removed)`);
    } else changes.push(`${at.label} is already enabled; nothing to change`);
    const off = chain.slice(0, -1).findIndex((level) => level.enabled === false);
    const warnings =
      off < 0 ? [] : [`${at.label} stays off: ${off === 0 ? 'defaults' : `${off === 1 ? 'its group' : 'its source'} ${String(chain[off].name)}`} has enabled: false, which turns off everything under it`];
    return { changes, warnings };
  });
}
