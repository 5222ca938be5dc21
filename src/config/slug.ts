import { createHash } from 'node:crypto';
import { toLatin } from './transliterate.ts';

// Names the output tree and the server use themselves (`articles/`, `/healthz`); a category slug must not shadow them.
// (`/metrics` needs no entry: only the bare path is the endpoint, and a group folder is never served bare.)
const RESERVED = new Set(['articles', 'healthz']);

const MAX = 60;

function asciiSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX)
    .replace(/-+$/, '');
}

const nameHash = (name: string) => createHash('sha1').update(name).digest('hex').slice(0, 8);

/** The slug `name` gets from `ascii`, its ASCII form: that form when readable, else (ending in) a hash of the name. */
function fromAscii(ascii: string, name: string): { slug: string; hashed: boolean } {
  if (ascii.length >= 2 || (ascii.length > 0 && ascii === name.toLowerCase())) return { slug: ascii, hashed: false };
  return { slug: ascii ? `${ascii}-${nameHash(name)}` : `c-${nameHash(name)}`, hashed: true };
}

export interface SlugOf {
  slug: string;
  /** No letter or digit could be made of the name: the slug is (or ends in) a hash of it. */
  hashed: boolean;
  /** The name had to be transliterated (CJK, Cyrillic…). */
  transliterated: boolean;
}

/**
 * A deterministic, URL- and filesystem-safe slug: ASCII letters, digits and
 * dashes. Names in other scripts are transliterated first (新媒体 →
 * xin-mei-ti, Новости → novosti); only a name that gives no letter or digit
 * at all (emoji, symbols) falls back to a short stable hash (`c-1a2b3c4d`).
 */
export function slugOf(name: string): SlugOf {
  const latin = toLatin(name);
  return { ...fromAscii(asciiSlug(latin), name), transliterated: latin !== name };
}

export function slugify(name: string): string {
  return slugOf(name).slug;
}

/**
 * The slug refeed 0.1 derived: no transliteration, a hash for any name with
 * fewer than two ASCII letters or digits. Channels whose state is stored
 * under it keep it (see resolve.ts), so an upgrade never moves a feed URL.
 */
export function legacySlugify(name: string): string {
  return fromAscii(asciiSlug(name), name).slug;
}

export function isValidSlug(slug: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(slug) && !RESERVED.has(slug);
}

export interface WantedSlug {
  name: string;
  slug: string;
  /** Derived from a transliterated name: a collision is broken by the name's hash, not by a number. */
  transliterated?: boolean;
}

/**
 * Gives every sibling a distinct slug: the first keeps it; a later one gets
 * its name's hash when its slug came from transliteration (homophones such as
 * 李 and 理 both read "li": the hash stays the same whatever their order),
 * else `-2`, `-3`…; reserved names are suffixed too. Returns a note per change.
 */
export function uniqueSlugs(wanted: WantedSlug[]): { slugs: string[]; notes: { index: number; message: string }[] } {
  const taken = new Map<string, string>();
  const notes: { index: number; message: string }[] = [];
  const slugs = wanted.map(({ name, slug, transliterated }, index) => {
    let candidate = slug;
    if ((taken.has(candidate) || RESERVED.has(candidate)) && transliterated) candidate = `${slug.slice(0, MAX - 9).replace(/-+$/, '')}-${nameHash(name)}`;
    const base = candidate;
    for (let n = 2; taken.has(candidate) || RESERVED.has(candidate); n++) candidate = `${base}-${n}`;
    if (candidate !== slug) {
      const other = taken.get(slug);
      notes.push({ index, message: `"${name}" would collide${other !== undefined ? ` with "${other}"` : ' with a name refeed reserves'} on slug "${slug}"; using "${candidate}"` });
    }
    taken.set(candidate, name);
    return candidate;
  });
  return { slugs, notes };
}
