import type { ParsedArticleFile } from '../normalize/index.ts';

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
}

/** What an article's file holds, from its row's content columns. */
export function articleContentOf(r: Pick<ContentRow, 'title' | 'categories' | 'headimg' | 'author' | 'date' | 'link' | 'guid' | 'html'>): ParsedArticleFile {
  return {
    title: r.title,
    categories: JSON.parse(r.categories) as string[],
    headimg: r.headimg,
    author: r.author,
    date: new Date(r.date),
    ...(r.link ? { link: r.link } : {}),
    ...(r.guid ? { guid: r.guid } : {}),
    html: r.html ?? '',
  };
}

/** The content of the rows that hold it (a state from refeed 0.1 may lack it), by id. */
export function contentById(rows: readonly ContentRow[]): Map<string, ParsedArticleFile> {
  const out = new Map<string, ParsedArticleFile>();
  for (const r of rows) if (r.html != null) out.set(r.id, articleContentOf(r));
  return out;
}
