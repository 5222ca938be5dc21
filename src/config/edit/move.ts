import { isDeepStrictEqual } from 'node:util';
import { parseConfig } from '../load.ts';
import { runEdit } from './run.ts';
import { locate } from './target.ts';
import { asArray, findNamed, rawGroups, sameUrl, str } from './tree.ts';
import { EditError, type EditResult, type RemoveTarget } from './types.ts';

// Moving a channel to another source (and group). The channel is found again
// by its URL: the next run carries its stored history over to its new key,
// nothing fetched again, nothing lost, and the old feed URLs redirect (301).

export interface MoveOptions {
  /** Create the group and the source when missing (else the move is refused). */
  create?: boolean;
  /** Keep a source left without channels (with `channels: []`) instead of removing it. */
  keepEmptySource?: boolean;
}

const FILE_ONLY = {};

function names(list: { name?: unknown }[]): string {
  return list.map((x) => `"${str(x.name)}"`).join(', ') || '(none)';
}

/** The config key of a resolved setting (`maxAgeMs` → `max_age`). */
const settingKey = (k: string) => (k === 'allowIframeHosts' ? 'allow_iframes' : k.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/** Settings a channel resolves to differently after the edit: what it inherited from its old place. */
function inheritedChanges(before: string, after: string, file: string, url: string): string[] {
  const find = (text: string) => parseConfig(text, file, FILE_ONLY).channels.find((c) => sameUrl(c.url, url))?.settings;
  const a = find(before);
  const b = find(after);
  if (!a || !b) return [];
  return Object.keys({ ...a, ...b }).filter((k) => !isDeepStrictEqual(a[k as keyof typeof a], b[k as keyof typeof b]));
}

export function moveChannel(text: string, file: string, channel: RemoveTarget, to: { group: string; source: string }, opts: MoveOptions = {}): EditResult {
  let url = '';
  let created: string | undefined;
  const result = runEdit(text, file, (editor) => {
    const at = locate(editor.doc, channel);
    if (at.kind !== 'channel') throw new EditError('invalid', 'name the channel to move by its URL, or by --group, --source and --channel');
    const groups = rawGroups(editor.doc);
    const g = groups[at.gi];
    const s = asArray(g.sources)[at.si];
    const c = asArray(s.channels)[at.ci];
    url = str(c.url);
    const from = ['groups', at.gi, 'sources', at.si, 'channels'];
    const gi = findNamed(groups, to.group);
    const changes: string[] = [];
    let dest = `${to.group} / ${to.source}`;
    if (gi < 0) {
      if (!opts.create) throw new EditError('not-found', `no group "${to.group}" (groups: ${names(groups)}); add --create to create it`);
      editor.append(['groups'], { name: to.group, sources: [{ name: to.source, channels: [] }] });
      created = `created group ${to.group} with source ${to.source}`;
    } else {
      const sources = asArray(groups[gi].sources);
      const si = findNamed(sources, to.source);
      if (si < 0) {
        if (!opts.create) throw new EditError('not-found', `no source "${to.source}" in group "${str(groups[gi].name)}" (sources: ${names(sources)}); add --create to create it`);
        editor.append(['groups', gi, 'sources'], { name: to.source, channels: [] });
        created = `created source ${to.source} in group ${str(groups[gi].name)}`;
      } else {
        if (gi === at.gi && si === at.si) throw new EditError('invalid', `${at.label} is already in ${str(g.name)} / ${str(s.name)}`);
        const twin = findNamed(asArray(sources[si].channels), str(c.name));
        if (twin >= 0) {
          throw new EditError(
            'duplicate',
            `source "${str(sources[si].name)}" in group "${str(groups[gi].name)}" already has a channel "${str(asArray(sources[si].channels)[twin].name)}"; rename one first (refeed sources rename)`,
          );
        }
        editor.copyItem(from, at.ci, ['groups', gi, 'sources', si, 'channels']);
        dest = `${str(groups[gi].name)} / ${str(sources[si].name)}`;
      }
    }
    // A new group or source is written first (with `channels: []`); the channel's own lines then move into it.
    if (created) return { changes: [created] };
    changes.push(`moved ${at.label} (${url}) to ${dest}: the next run carries its stored history over; its old feed URLs redirect (301) to the new ones`);
    if (asArray(s.channels).length === 1 && !opts.keepEmptySource) {
      editor.removeItem(['groups', at.gi, 'sources'], at.si);
      changes.push(`removed source ${str(s.name)} from ${str(g.name)}: it had no other channel`);
    } else editor.removeItem(from, at.ci);
    return { changes };
  });
  if (created) {
    const moved = moveChannel(result.text, file, channel, to, { ...opts, create: false });
    return { text: moved.text, changes: [...result.changes, ...moved.changes], warnings: [...result.warnings, ...moved.warnings] };
  }
  if (result.text !== text) {
    const differ = inheritedChanges(text, result.text, file, url);
    if (differ.length) {
      const keys = differ.map(settingKey);
      result.warnings.push(`the channel's ${keys.join(', ')} ${keys.length === 1 ? 'changes' : 'change'} with the move: it inherits ${keys.length === 1 ? 'it' : 'them'} from its new group and source`);
    }
  }
  return result;
}
