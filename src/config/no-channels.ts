import { formatPath, type ConfigProblem } from './errors.ts';
import { looseList as list } from './slug-plan.ts';

// A configuration with no channel at all is almost always an accident: a
// 0-byte or whitespace-only file, or one cut short by an editor's
// truncate-then-write save or a full disk. Loaded as it is, it unpublishes
// every feed (a reload "removes" every channel). So no channels is accepted
// only when the file says so: every empty level is an explicit empty list
// (`groups: []`, `sources: []`, `channels: []`), never a missing key.

type Raw = Record<string, unknown>;
const isMapping = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const label = (x: Raw) => (typeof x.name === 'string' && x.name ? ` "${x.name}"` : '');

/** Problems when the file defines no channel and some level of it is empty by omission, not by an explicit `[]`. */
export function noChannelsProblems(raw: unknown, lineOf: (segs: PropertyKey[]) => number | undefined): ConfigProblem[] {
  const file = isMapping(raw) ? raw : {};
  const groups = list(file.groups);
  if (groups.some((g) => list(g.sources).some((s) => list(s.channels).length > 0))) return [];
  const problem = (segs: PropertyKey[], message: string): ConfigProblem => ({ path: formatPath(segs), line: segs.length ? lineOf(segs) : undefined, message });
  if (file.groups === undefined || file.groups === null) {
    // Channels written at the top level: the schema says where they go, and that is the one mistake.
    if (['channels', 'sources', 'feeds'].some((k) => k in file)) return [];
    const what = Object.keys(file).length ? 'the file has no `groups`' : 'the file is empty';
    return [problem([], `no channels: ${what} (cut short?); a configuration with no channels on purpose says \`groups: []\``)];
  }
  // Not a list: the schema says so.
  if (!Array.isArray(file.groups)) return [];
  const problems: ConfigProblem[] = [];
  groups.forEach((g, gi) => {
    if (!isMapping((file.groups as unknown[])[gi])) return; // the schema says so
    if (g.sources === undefined || g.sources === null) {
      if (g.channels !== undefined) return; // channels right under the group: the schema says where they go
      problems.push(problem(['groups', gi], `no channels: group${label(g)} has no \`sources\` (cut short?); say \`sources: []\` if it is empty on purpose`));
      return;
    }
    list(g.sources).forEach((s, si) => {
      if ((s.channels === undefined || s.channels === null) && s.feeds === undefined) {
        problems.push(problem(['groups', gi, 'sources', si], `no channels: source${label(s)} has no \`channels\` (cut short?); say \`channels: []\` if it is empty on purpose`));
      }
    });
  });
  return problems;
}
