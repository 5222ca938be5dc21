import { createHash } from 'node:crypto';

// Names the output tree and the server use themselves (`articles/`, `/healthz`); a category slug must not shadow them.
const RESERVED = new Set(['articles', 'healthz']);

/**
 * A deterministic, URL- and filesystem-safe slug: ASCII letters, digits and
 * dashes. Names with no ASCII letters (CJK, Cyrillic…) get a short stable hash
 * so the same name always lands in the same folder; set `slug` in the config
 * for a readable one.
 */
export function slugify(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  if (ascii.length >= 2 || (ascii.length > 0 && ascii === name.toLowerCase())) return ascii;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return ascii ? `${ascii}-${hash}` : `c-${hash}`;
}

export function isValidSlug(slug: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(slug) && !RESERVED.has(slug);
}

/**
 * Gives every sibling a distinct slug: the first keeps it, later ones get
 * `-2`, `-3`…; reserved names are suffixed too. Returns a note per change so
 * the build can say so.
 */
export function uniqueSlugs(wanted: { name: string; slug: string }[], where: string): { slugs: string[]; notes: string[] } {
  const taken = new Set<string>();
  const notes: string[] = [];
  const slugs = wanted.map(({ name, slug }) => {
    let candidate = slug;
    for (let n = 2; taken.has(candidate) || RESERVED.has(candidate); n++) candidate = `${slug}-${n}`;
    if (candidate !== slug) notes.push(`${where}: "${name}" would collide on slug "${slug}"; using "${candidate}"`);
    taken.add(candidate);
    return candidate;
  });
  return { slugs, notes };
}
