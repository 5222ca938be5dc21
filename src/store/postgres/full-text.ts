import type { FullTextEntry } from '../types.ts';
import { toFullTextEntry, type FullTextRow } from '../row-shapes.ts';
import { jsonRows, pgText, pgTexts, type Db } from './connection.ts';

// The full-text cache; semantics as ../sqlite/full-text.ts.

export async function fullTextEntries(db: Db, links: readonly string[]): Promise<Map<string, FullTextEntry>> {
  const out = new Map<string, FullTextEntry>();
  if (!links.length) return out;
  const { rows } = await db.query<FullTextRow>('SELECT link, mode, html, image, error, failures, at FROM full_text WHERE link = ANY($1::text[])', [pgTexts(links)]);
  // Links are stored as pgText made them (U+0000 as U+FFFD): each row goes back under the link asked for.
  const given = new Map(links.map((l) => [pgText(l), l]));
  for (const r of rows) {
    const link = given.get(r.link) ?? r.link;
    out.set(link, { ...toFullTextEntry(r), link });
  }
  return out;
}

export async function saveFullText(db: Db, entries: readonly FullTextEntry[]): Promise<void> {
  if (!entries.length) return;
  // One statement for any number of rows; a link given twice keeps its last entry.
  const last = [...new Map(entries.map((e) => [e.link, e])).values()];
  await db.query(
    `INSERT INTO full_text (link, mode, html, image, error, failures, at)
     SELECT link, mode, html, image, error, failures, at
     FROM json_to_recordset($1::json) AS r(link text, mode text, html text, image text, error text, failures integer, at bigint)
     ON CONFLICT (link) DO UPDATE SET mode = excluded.mode, html = excluded.html, image = excluded.image, error = excluded.error,
       failures = excluded.failures, at = excluded.at`,
    [jsonRows(last.map((e) => ({ link: e.link, mode: e.mode, html: e.html ?? null, image: e.image ?? null, error: e.error ?? null, failures: e.failures, at: e.at })))],
  );
}

export async function pruneFullText(db: Db, before: number): Promise<number> {
  const r = await db.query('DELETE FROM full_text f WHERE f.at < $1 AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.link = f.link)', [before]);
  return r.rowCount ?? 0;
}
