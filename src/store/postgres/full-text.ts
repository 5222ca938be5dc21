import type { FullTextEntry } from '../types.ts';
import { jsonRows, pgText, pgTexts, type Db } from './connection.ts';

// The full-text cache; semantics as ../sqlite/full-text.ts.

export async function fullTextEntries(db: Db, links: readonly string[]): Promise<Map<string, FullTextEntry>> {
  const out = new Map<string, FullTextEntry>();
  if (!links.length) return out;
  const { rows } = await db.query<{ link: string; mode: string; html: string | null; image: string | null; error: string | null; failures: number; at: string | number }>(
    'SELECT link, mode, html, image, error, failures, at FROM full_text WHERE link = ANY($1::text[])',
    [pgTexts(links)],
  );
  const given = new Map(links.map((l) => [pgText(l), l]));
  for (const r of rows) {
    const link = given.get(r.link) ?? r.link;
    out.set(link, {
      link,
      mode: r.mode,
      ...(r.html !== null ? { html: r.html } : {}),
      ...(r.image !== null ? { image: r.image } : {}),
      ...(r.error !== null ? { error: r.error } : {}),
      failures: Number(r.failures),
      at: Number(r.at),
    });
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
