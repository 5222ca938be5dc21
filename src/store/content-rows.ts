import type { ArticleContent, ArticleOriginal, Enclosure } from '../core/types.ts';

// The article content columns as every store keeps them (the same names and
// encodings in SQLite and PostgreSQL), turned back into what the file holds.

export interface ContentRow {
  id: string;
  title: string;
  link: string | null;
  date: number;
  author: string;
  headimg: string;
  guid: string | null;
  /** JSON array of the three names. */
  categories: string;
  html: string | null;
  /** JSON object: ExtraColumn. */
  extra: string;
}

/** The fields of an article kept in its row's `extra` JSON, each only when the article has it (rows from before have `{}`). */
interface ExtraColumn {
  guidIsPermaLink?: boolean;
  itemAuthor?: string;
  /** Epoch ms. */
  updated?: number;
  summary?: string;
  tags?: string[];
  enclosures?: Enclosure[];
}

type ExtraFields = Pick<ArticleContent, 'guidIsPermaLink' | 'itemAuthor' | 'updated' | 'summary' | 'tags' | 'enclosures'>;

/** The `extra` column of an article. */
export function extraColumn(a: ExtraFields): string {
  const x: ExtraColumn = {};
  if (a.guidIsPermaLink !== undefined) x.guidIsPermaLink = a.guidIsPermaLink;
  if (a.itemAuthor !== undefined) x.itemAuthor = a.itemAuthor;
  if (a.updated) x.updated = a.updated.getTime();
  if (a.summary) x.summary = a.summary;
  if (a.tags.length) x.tags = a.tags;
  if (a.enclosures.length) x.enclosures = a.enclosures;
  return JSON.stringify(x);
}

function extraFields(column: string | null | undefined): ExtraFields {
  let x: ExtraColumn = {};
  try {
    const v: unknown = JSON.parse(column || '{}');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) x = v as ExtraColumn;
  } catch {
    // a damaged value reads as none: the next fetch of the article writes it again
  }
  return {
    ...(typeof x.guidIsPermaLink === 'boolean' ? { guidIsPermaLink: x.guidIsPermaLink } : {}),
    ...(typeof x.itemAuthor === 'string' ? { itemAuthor: x.itemAuthor } : {}),
    ...(typeof x.updated === 'number' ? { updated: new Date(x.updated) } : {}),
    ...(typeof x.summary === 'string' && x.summary ? { summary: x.summary } : {}),
    tags: Array.isArray(x.tags) ? x.tags.filter((t) => typeof t === 'string') : [],
    enclosures: Array.isArray(x.enclosures) ? x.enclosures.filter((e) => e !== null && typeof e === 'object' && typeof e.url === 'string') : [],
  };
}

/** What an article's file holds, from its row's content columns. */
export function articleContentOf(r: Pick<ContentRow, 'title' | 'categories' | 'headimg' | 'author' | 'date' | 'link' | 'guid' | 'html' | 'extra'>): ArticleContent {
  const extra = extraFields(r.extra);
  return {
    title: r.title,
    categories: JSON.parse(r.categories) as string[],
    headimg: r.headimg,
    author: r.author,
    ...(extra.itemAuthor !== undefined ? { itemAuthor: extra.itemAuthor } : {}),
    date: new Date(r.date),
    ...(extra.updated ? { updated: extra.updated } : {}),
    ...(r.link ? { link: r.link } : {}),
    ...(r.guid ? { guid: r.guid } : {}),
    ...(r.guid && extra.guidIsPermaLink !== undefined ? { guidIsPermaLink: extra.guidIsPermaLink } : {}),
    ...(extra.summary ? { summary: extra.summary } : {}),
    html: r.html ?? '',
    tags: extra.tags,
    enclosures: extra.enclosures,
  };
}

/**
 * The `original` column: the article before its channel's rewrites, as JSON
 * with only what differs from the article itself (title, html) and the
 * item's image from outside its body. NULL (a row from before rewrites, or
 * content that came without one): not known.
 */
export function originalColumn(a: { title: string; html: string; original?: ArticleOriginal }): string | null {
  const o = a.original;
  if (!o) return null;
  return JSON.stringify({ ...(o.title !== a.title ? { title: o.title } : {}), ...(o.html !== a.html ? { html: o.html } : {}), ...(o.image ? { image: o.image } : {}) });
}

/** The original an `original` column holds, for a row with this title and html; undefined when not known (or unreadable). */
export function originalOf(column: string | null | undefined, a: { title: string; html: string }): ArticleOriginal | undefined {
  if (column == null) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(column);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  return {
    title: typeof o.title === 'string' ? o.title : a.title,
    html: typeof o.html === 'string' ? o.html : a.html,
    ...(typeof o.image === 'string' && o.image ? { image: o.image } : {}),
  };
}

/** The content of the rows that hold it (a state from refeed 0.1 may lack it), by id. */
export function contentById(rows: readonly ContentRow[]): Map<string, ArticleContent> {
  const out = new Map<string, ArticleContent>();
  for (const r of rows) if (r.html != null) out.set(r.id, articleContentOf(r));
  return out;
}
