import { Document, type Node } from 'yaml';
import { urlKey } from '../cross-checks.ts';
import { legacySlugify, slugify } from '../slug.ts';

// The configuration as plain data (what YAML holds, before validation), and
// finding entries in it by name, slug or URL.

interface RawChannel {
  name?: unknown;
  slug?: unknown;
  url?: unknown;
}
interface RawSource {
  name?: unknown;
  slug?: unknown;
  channels?: RawChannel[] | null;
}
export interface RawGroup {
  name?: unknown;
  slug?: unknown;
  sources?: RawSource[] | null;
}

export const asArray = <T>(v: T[] | null | undefined): T[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export function rawGroups(doc: Document): RawGroup[] {
  const js = doc.toJS() as { groups?: RawGroup[] } | null;
  return asArray(js?.groups);
}

/**
 * The sibling a user means by `wanted`: same name, else same slug (explicit
 * or derived) — so `--group tech` finds "Tech", and an edit never creates a
 * sibling that would only collide on its folder name.
 */
export function findNamed(list: { name?: unknown; slug?: unknown }[], wanted: string): number {
  const exact = list.findIndex((x) => str(x.name) === wanted);
  if (exact >= 0) return exact;
  const want = slugify(wanted);
  return list.findIndex((x) => {
    // A name's slug from before transliteration still names it: its feeds may still be published under it.
    const slugs = typeof x.slug === 'string' ? [x.slug] : [slugify(str(x.name)), legacySlugify(str(x.name))];
    return slugs.includes(wanted) || slugs.includes(want);
  });
}

/** URL equality as a reader sees it (see urlKey): what the cross-checks call a duplicate URL, an edit finds. */
export function sameUrl(a: string, b: string): boolean {
  return a === b || urlKey(a) === urlKey(b);
}

interface Located {
  path: (string | number)[];
  group: string;
  source: string;
  channel: string;
  url: string;
}

export function allChannels(groups: RawGroup[]): Located[] {
  const out: Located[] = [];
  groups.forEach((g, gi) =>
    asArray(g.sources).forEach((s, si) =>
      asArray(s.channels).forEach((c, ci) =>
        out.push({ path: ['groups', gi, 'sources', si, 'channels', ci], group: str(g.name), source: str(s.name), channel: str(c.name), url: str(c.url) }),
      ),
    ),
  );
  return out;
}

export const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

export function lineOfPath(doc: Document, text: string, path: (string | number)[]): number | undefined {
  const node = doc.getIn(path, true) as Node | undefined;
  return node?.range ? lineAt(text, node.range[0]) : undefined;
}

