import { allChannels, asArray, findNamed, rawGroups, sameUrl, str, type RawGroup } from './tree.ts';
import { EditError, type EditTarget } from './types.ts';
import type { Document } from 'yaml';

// What an edit is about: a channel by URL, a group / source / channel by
// name or slug (--group, --source, --channel), or `defaults` / `site`. One
// addressing scheme for every edit (remove, rename, move, set, rules).

export type TargetKind = 'site' | 'defaults' | 'group' | 'source' | 'channel';

export interface Located {
  kind: TargetKind;
  /** The target's mapping in the document. */
  path: (string | number)[];
  /** How messages name it: `group Tech`, `channel Tech / Hacker News / Front page`, `defaults`. */
  label: string;
  gi: number;
  si: number;
  ci: number;
}

function names(list: { name?: unknown }[]): string {
  return list.map((x) => `"${str(x.name)}"`).join(', ') || '(none)';
}

export function locate(doc: Document, target: EditTarget): Located {
  const groups: RawGroup[] = rawGroups(doc);
  if ('level' in target) return { kind: target.level, path: [target.level], label: target.level, gi: -1, si: -1, ci: -1 };
  let gi: number;
  let si = -1;
  let ci = -1;
  if ('url' in target) {
    const hit = allChannels(groups).find((c) => sameUrl(c.url, target.url));
    if (!hit) throw new EditError('not-found', `no channel has the URL ${target.url}`);
    [, gi, , si, , ci] = hit.path as [string, number, string, number, string, number];
  } else {
    gi = findNamed(groups, target.group);
    if (gi < 0) throw new EditError('not-found', `no group "${target.group}" (groups: ${names(groups)})`);
    const sources = asArray(groups[gi].sources);
    if (target.source !== undefined) {
      si = findNamed(sources, target.source);
      if (si < 0) throw new EditError('not-found', `no source "${target.source}" in group "${str(groups[gi].name)}" (sources: ${names(sources)})`);
      if (target.channel !== undefined) {
        const channels = asArray(sources[si].channels);
        ci = findNamed(channels, target.channel);
        if (ci < 0) throw new EditError('not-found', `no channel "${target.channel}" in ${str(groups[gi].name)} / ${str(sources[si].name)} (channels: ${names(channels)})`);
      }
    } else if (target.channel !== undefined) {
      throw new EditError('invalid', 'a channel is named by --group, --source and --channel together');
    }
  }
  const g = groups[gi];
  if (si < 0) return { kind: 'group', path: ['groups', gi], label: `group ${str(g.name)}`, gi, si, ci };
  const s = asArray(g.sources)[si];
  if (ci < 0) return { kind: 'source', path: ['groups', gi, 'sources', si], label: `source ${str(g.name)} / ${str(s.name)}`, gi, si, ci };
  const c = asArray(s.channels)[ci];
  return { kind: 'channel', path: ['groups', gi, 'sources', si, 'channels', ci], label: `channel ${str(g.name)} / ${str(s.name)} / ${str(c.name)}`, gi, si, ci };
}

/** The raw mappings from the top down to the target: defaults first, then its group and source (what it inherits from), then itself. */
export function levelChain(doc: Document, at: Located): Record<string, unknown>[] {
  const js = (doc.toJS() ?? {}) as Record<string, unknown>;
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  if (at.kind === 'site') return [obj(js.site)];
  const chain = [obj(js.defaults)];
  if (at.kind === 'defaults') return chain;
  const g = obj(asArray(js.groups as unknown[])[at.gi]);
  chain.push(g);
  if (at.si < 0) return chain;
  const s = obj(asArray(g.sources as unknown[])[at.si]);
  chain.push(s);
  if (at.ci < 0) return chain;
  chain.push(obj(asArray(s.channels as unknown[])[at.ci]));
  return chain;
}
