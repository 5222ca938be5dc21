import { checkCurrent, checkResult } from './checks.ts';
import { Editor } from './editor.ts';
import { locate } from './target.ts';
import { asArray, rawGroups, str } from './tree.ts';
import type { EditResult, RemoveOptions, RemoveTarget } from './types.ts';

// Removing a channel, a source or a group, with the comment lines directly above it.

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Removes a channel (by URL, or by group/source/channel), a whole source, or
 * a whole group. A source left without channels is removed with its last
 * channel unless `keepEmptySource`; a group is never removed implicitly (like
 * a reader's folder, it stays, with `sources: []`).
 */
export function removeChannels(text: string, file: string, target: RemoveTarget, opts: RemoveOptions = {}): EditResult {
  const before = checkCurrent(text, file);
  const editor = new Editor(text);
  const groups = rawGroups(editor.doc);
  const { gi, si, ci } = locate(editor.doc, target);
  const g = groups[gi];
  const changes: string[] = [];
  if (ci >= 0) {
    const s = asArray(g.sources)[si];
    const channels = asArray(s.channels);
    const c = channels[ci];
    changes.push(`removed channel ${str(c.name)} (${str(c.url)}) from ${str(g.name)} / ${str(s.name)}`);
    if (channels.length === 1 && !opts.keepEmptySource) {
      editor.removeItem(['groups', gi, 'sources'], si);
      changes.push(`removed source ${str(s.name)} from ${str(g.name)}: it had no other channel`);
    } else editor.removeItem(['groups', gi, 'sources', si, 'channels'], ci);
  } else if (si >= 0) {
    const s = asArray(g.sources)[si];
    editor.removeItem(['groups', gi, 'sources'], si);
    changes.push(`removed source ${str(s.name)} (${plural(asArray(s.channels).length, 'channel')}) from ${str(g.name)}`);
  } else {
    editor.removeItem(['groups'], gi);
    const n = asArray(g.sources).reduce((k, s) => k + asArray(s.channels).length, 0);
    changes.push(`removed group ${str(g.name)} (${plural(asArray(g.sources).length, 'source')}, ${plural(n, 'channel')})`);
  }
  const warnings: string[] = [];
  const out = editor.finish(warnings);
  checkResult(out, file, before, warnings);
  return { text: out, changes, warnings };
}

