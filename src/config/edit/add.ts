import { formatPath } from '../errors.ts';
import { checkCurrent, checkEntry, checkResult } from './checks.ts';
import { Editor } from './editor.ts';
import { allChannels, asArray, findNamed, lineOfPath, rawGroups, sameUrl, str } from './tree.ts';
import { EditError, type ChannelEntry, type EditResult } from './types.ts';

// Adding channels: the group and source are found by name or slug, or created.

function channelValue(e: ChannelEntry): Record<string, unknown> {
  return { name: e.channel, ...(e.slug ? { slug: e.slug } : {}), url: e.url, ...(e.schedule ? { schedule: e.schedule } : {}), ...(e.allowPrivate ? { allow_private: true } : {}) };
}

function describe(e: { group: string; source: string; channel: string }): string {
  return `${e.group} / ${e.source} / ${e.channel}`;
}

/** Why `entry` can't be added to the tree in `editor`, or undefined. */
function conflict(editor: Editor, entry: ChannelEntry): string | undefined {
  const groups = rawGroups(editor.doc);
  const dup = allChannels(groups).find((c) => sameUrl(c.url, entry.url));
  if (dup) {
    const line = lineOfPath(editor.doc, editor.text, [...dup.path, 'url']);
    return `${entry.url} is already configured as ${describe(dup)} (${formatPath(dup.path)}${line ? `, line ${line}` : ''})`;
  }
  const gi = findNamed(groups, entry.group);
  const si = gi < 0 ? -1 : findNamed(asArray(groups[gi].sources), entry.source);
  if (si >= 0) {
    const source = asArray(groups[gi].sources)[si];
    const ci = findNamed(asArray(source.channels), entry.channel);
    if (ci >= 0) return `source "${str(source.name)}" in group "${str(groups[gi].name)}" already has a channel "${str(asArray(source.channels)[ci].name)}"`;
  }
  return undefined;
}

/** Adds one entry to the editor's tree (no checks); returns the change line. */
function addTo(editor: Editor, entry: ChannelEntry): string {
  const groups = rawGroups(editor.doc);
  const gi = findNamed(groups, entry.group);
  if (gi < 0) {
    editor.append(['groups'], {
      name: entry.group,
      ...(entry.groupSlug ? { slug: entry.groupSlug } : {}),
      sources: [{ name: entry.source, ...(entry.sourceSlug ? { slug: entry.sourceSlug } : {}), channels: [channelValue(entry)] }],
    });
    return `added group ${entry.group}, source ${entry.source}, channel ${entry.channel} (${entry.url})`;
  }
  const group = groups[gi];
  const si = findNamed(asArray(group.sources), entry.source);
  if (si < 0) {
    editor.append(['groups', gi, 'sources'], {
      name: entry.source,
      ...(entry.sourceSlug ? { slug: entry.sourceSlug } : {}),
      channels: [channelValue(entry)],
    });
    return `added source ${entry.source} to group ${str(group.name)}, channel ${entry.channel} (${entry.url})`;
  }
  const source = asArray(group.sources)[si];
  editor.append(['groups', gi, 'sources', si, 'channels'], channelValue(entry));
  return `added channel ${entry.channel} to ${str(group.name)} / ${str(source.name)} (${entry.url})`;
}

/** Adds a channel (creating its group and source when missing). Throws EditError when refused; `text` is never half-edited. */
export function addChannel(text: string, file: string, entry: ChannelEntry): EditResult {
  const before = checkCurrent(text, file);
  const bad = checkEntry(entry);
  if (bad) throw new EditError('invalid', bad);
  const editor = new Editor(text);
  const why = conflict(editor, entry);
  if (why) throw new EditError('duplicate', why);
  const changes = [addTo(editor, entry)];
  const warnings: string[] = [];
  const out = editor.finish(warnings);
  checkResult(out, file, before, warnings);
  return { text: out, changes, warnings };
}
