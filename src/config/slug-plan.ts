import type { KeptSlug } from '../core/types.ts';
import { formatPath, type ConfigProblem } from './errors.ts';
import { legacySlugify, slugOf, uniqueSlugs, type WantedSlug } from './slug.ts';

// The slug of every group, source and channel, worked out on the file as
// written (also when it does not pass the schema, so `validate` reports slug
// collisions with everything else), with what is worth saying about them.

export interface NamedNode {
  name: string;
  slug?: string;
}
export interface SourceNode extends NamedNode {
  channels: NamedNode[];
}
export interface GroupNode extends NamedNode {
  sources: SourceNode[];
}


export interface SlugPlan {
  groups: { slug: string; sources: { slug: string; channels: string[] }[] }[];
  /** Collisions resolved and names that fell back to a hash. */
  warnings: ConfigProblem[];
  kept: KeptSlug[];
  /** Some name without an explicit slug got another slug than refeed 0.1 gave it. */
  differsFromLegacy: boolean;
}

export interface SlugPlanOptions {
  /** Keys (and their prefixes, `g` and `g/s`) the state holds channels under: a legacy slug in use there is kept. */
  keep?: ReadonlySet<string>;
  lineOf?: (segments: PropertyKey[]) => number | undefined;
}

export function planSlugs(groups: readonly GroupNode[], opts: SlugPlanOptions = {}): SlugPlan {
  const warnings: ConfigProblem[] = [];
  const kept: KeptSlug[] = [];
  const lineOf = opts.lineOf ?? (() => undefined);
  let differsFromLegacy = false;

  const level = (nodes: readonly NamedNode[], parent: PropertyKey[], list: string, prefix: string): string[] => {
    const wanted: WantedSlug[] = nodes.map((n, i) => {
      if (n.slug !== undefined) return { name: n.name, slug: n.slug };
      const made = slugOf(n.name);
      const segs = [...parent, list, i];
      const legacy = legacySlugify(n.name);
      if (legacy !== made.slug) differsFromLegacy = true;
      if (legacy !== made.slug && opts.keep?.has(prefix + legacy)) {
        kept.push({ path: formatPath(segs), line: lineOf([...segs, 'name']), name: n.name, slug: legacy, readable: made.slug });
        return { name: n.name, slug: legacy };
      }
      if (made.hashed) {
        warnings.push({
          path: formatPath([...segs, 'name']),
          line: lineOf([...segs, 'name']),
          message: `"${n.name}" has no letters or digits to make a readable slug of; using "${made.slug}" (set slug: to choose one)`,
        });
      }
      return { name: n.name, slug: made.slug, transliterated: made.transliterated };
    });
    const { slugs, notes } = uniqueSlugs(wanted);
    for (const n of notes) {
      const segs = [...parent, list, n.index];
      warnings.push({ path: formatPath([...segs, 'name']), line: lineOf([...segs, 'name']), message: n.message });
    }
    return slugs;
  };

  const groupSlugs = level(groups, [], 'groups', '');
  return {
    groups: groups.map((g, gi) => {
      const sourceSlugs = level(g.sources, ['groups', gi], 'sources', `${groupSlugs[gi]}/`);
      return {
        slug: groupSlugs[gi],
        sources: g.sources.map((s, si) => ({
          slug: sourceSlugs[si],
          channels: level(s.channels, ['groups', gi, 'sources', si], 'channels', `${groupSlugs[gi]}/${sourceSlugs[si]}/`),
        })),
      };
    }),
    warnings: warnings.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)),
    kept,
    differsFromLegacy,
  };
}

/** A list in the file as written: its mappings, anything else in it as an empty one; not a list, none. */
export const looseList = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map((x) => (x !== null && typeof x === 'object' ? (x as Record<string, unknown>) : {})) : []);
const named = (x: Record<string, unknown>): NamedNode => ({ name: typeof x.name === 'string' ? x.name : String(x.name ?? ''), ...(typeof x.slug === 'string' ? { slug: x.slug } : {}) });

/** The group tree of a file as written, whatever its types: what slug planning needs of it. */
export function looseTree(groups: unknown): GroupNode[] {
  return looseList(groups).map((g) => ({
    ...named(g),
    sources: looseList(g.sources).map((s) => ({ ...named(s), channels: looseList(s.channels).map(named) })),
  }));
}
