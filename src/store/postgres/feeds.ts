import { rowsHash } from '../rows-hash.ts';
import type { ArticleContent } from '../../core/types.ts';
import { contentById, type ContentRow } from '../content-rows.ts';
import type { ArticleRecord, FragmentsWrite, ItemFragments, LedgerEntry, PublishCommit } from '../types.ts';
import { jsonRows, type Db } from './connection.ts';
import { asBuffer, filledContentColumns, toItemFragments, type FragmentsRow, distinctArticles, ledgerRow, toLedgerEntry, type FeedRow as BaseFeedRow, type LedgerRow } from '../row-shapes.ts';

// Feeds' articles, their content and feed fragments, and the publisher's bookkeeping, as
// ../sqlite/feeds.ts. The newest articles of any number of feeds come from
// one statement (a publish checks every feed it built).

/** A feed row, with which query of the batch (`i`) and which entry (`seq`) it came from. */
interface FeedRow extends BaseFeedRow {
  i: number;
  seq: number;
}

const COLUMNS = `a.id, a.identity, e.seq, ch.key AS channel_key, e.g, e.s, e.c, a.title, a.link, a.date, a.first_seen, a.content_hash, a.path
  FROM entries e JOIN articles a ON a.id = e.article_id JOIN channels ch ON ch.id = e.channel_id`;
const ORDER = 'ORDER BY e.date DESC, e.article_id, e.seq LIMIT f.n';

// One lateral per depth of feed key, each an index range: merged, group, source, channel.
const TOP_SQL = `
SELECT f.i, t.* FROM unnest($1::int[], $2::int[]) AS f(i, n)
  CROSS JOIN LATERAL (SELECT ${COLUMNS} WHERE e.g IS NOT NULL ${ORDER}) t
UNION ALL
SELECT f.i, t.* FROM unnest($3::int[], $4::int[], $5::text[]) AS f(i, n, g)
  CROSS JOIN LATERAL (SELECT ${COLUMNS} WHERE e.g = f.g ${ORDER}) t
UNION ALL
SELECT f.i, t.* FROM unnest($6::int[], $7::int[], $8::text[], $9::text[]) AS f(i, n, g, s)
  CROSS JOIN LATERAL (SELECT ${COLUMNS} WHERE e.g = f.g AND e.s = f.s ${ORDER}) t
UNION ALL
SELECT f.i, t.* FROM unnest($10::int[], $11::int[], $12::text[], $13::text[], $14::text[]) AS f(i, n, g, s, c)
  CROSS JOIN LATERAL (SELECT ${COLUMNS} WHERE e.g = f.g AND e.s = f.s AND e.c = f.c ${ORDER}) t`;

function byFeedOrder(a: FeedRow, b: FeedRow): number {
  if (a.date !== b.date) return b.date - a.date;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.seq - b.seq;
}


/**
 * The newest `limit` articles of each feed key, newest first, ties by id,
 * each article once. An article several channels of a feed list comes as
 * several rows, so a feed short of articles after that is asked again for
 * twice the rows, as SQLite's does.
 */
export async function topArticles(db: Db, feeds: readonly { key: string; limit: number }[]): Promise<ArticleRecord[][]> {
  const out: ArticleRecord[][] = feeds.map(() => []);
  let todo = feeds.map((f, i) => ({ i, parts: f.key === '' ? [] : f.key.split('/'), limit: f.limit, n: f.limit }));
  for (const t of todo) if (t.parts.length > 3) throw new Error(`bad feed key "${feeds[t.i].key}"`);
  while (todo.length) {
    const depth = (d: number) => todo.filter((t) => t.parts.length === d);
    const [d0, d1, d2, d3] = [0, 1, 2, 3].map(depth);
    const col = (list: typeof todo, f: (t: (typeof todo)[number]) => unknown) => list.map(f);
    const { rows } = await db.query<FeedRow>(TOP_SQL, [
      col(d0, (t) => t.i), col(d0, (t) => t.n),
      col(d1, (t) => t.i), col(d1, (t) => t.n), col(d1, (t) => t.parts[0]),
      col(d2, (t) => t.i), col(d2, (t) => t.n), col(d2, (t) => t.parts[0]), col(d2, (t) => t.parts[1]),
      col(d3, (t) => t.i), col(d3, (t) => t.n), col(d3, (t) => t.parts[0]), col(d3, (t) => t.parts[1]), col(d3, (t) => t.parts[2]),
    ]);
    const rowsOf = new Map<number, FeedRow[]>();
    for (const r of rows) {
      let list = rowsOf.get(r.i);
      if (!list) rowsOf.set(r.i, (list = []));
      list.push(r);
    }
    const again: typeof todo = [];
    for (const t of todo) {
      const list = (rowsOf.get(t.i) ?? []).sort(byFeedOrder);
      const records = distinctArticles(list, t.limit);
      out[t.i] = records;
      if (records.length < t.limit && list.length === t.n) again.push({ ...t, n: t.n * 2 });
    }
    todo = again;
  }
  return out;
}

export async function articleContent(db: Db, ids: readonly string[]): Promise<Map<string, ArticleContent>> {
  const { rows } = await db.query<ContentRow>(
    `SELECT id, title, link, date, author, headimg, guid, categories, html, extra FROM articles WHERE id = ANY($1::text[]) AND html IS NOT NULL`,
    [ids],
  );
  return contentById(rows);
}

export async function fillArticleContent(db: Db, entries: readonly [string, ArticleContent][]): Promise<void> {
  if (!entries.length) return;
  await db.query(
    `UPDATE articles a SET author = u.author, headimg = u.headimg, guid = u.guid, categories = u.categories, html = u.html, extra = u.extra
     FROM json_to_recordset($1) AS u(id text, author text, headimg text, guid text, categories text, html text, extra text) WHERE a.id = u.id AND a.html IS NULL`,
    [jsonRows(entries.map(([id, c]) => ({ id, ...filledContentColumns(c) })))],
  );
}

export async function itemFragments(db: Db, ids: readonly string[], version: string): Promise<Map<string, ItemFragments>> {
  const { rows } = await db.query<FragmentsRow>(
    'SELECT article_id, version, item_id, rss, atom, json FROM item_fragments WHERE article_id = ANY($1::text[]) AND version = $2',
    [ids, version],
  );
  return new Map(rows.map((r) => [r.article_id, toItemFragments(r)]));
}

/** Upserts fragments, those of `guarded` articles only while their row has the content hash and categories given. */
export async function upsertFragments(db: Db, entries: readonly { id: string; fragments: ItemFragments; contentHash?: string; categories?: string }[]): Promise<void> {
  if (!entries.length) return;
  const col = <T>(f: (e: (typeof entries)[number]) => T) => entries.map(f);
  await db.query(
    `INSERT INTO item_fragments (article_id, version, item_id, rss, atom, json)
     SELECT u.id, u.version, u.item_id, u.rss, u.atom, u.json
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bytea[], $6::bytea[], $7::text[], $8::text[]) AS u(id, version, item_id, rss, atom, json, hash, categories)
     JOIN articles a ON a.id = u.id AND (u.hash IS NULL OR (a.content_hash = u.hash AND a.categories = u.categories))
     ORDER BY u.id
     ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, item_id = excluded.item_id, rss = excluded.rss, atom = excluded.atom, json = excluded.json`,
    [
      col((e) => e.id),
      col((e) => e.fragments.version),
      col((e) => e.fragments.id),
      col((e) => asBuffer(e.fragments.rss)),
      col((e) => asBuffer(e.fragments.atom)),
      col((e) => asBuffer(e.fragments.json)),
      col((e) => e.contentHash ?? null),
      col((e) => e.categories ?? null),
    ],
  );
}

export async function setItemFragments(db: Db, entries: readonly FragmentsWrite[]): Promise<void> {
  // The last of an id wins, as when they are written one by one.
  const last = new Map(entries.map((e) => [e.id, e]));
  await upsertFragments(db, [...last.values()].map((e) => ({ id: e.id, fragments: e.fragments, contentHash: e.contentHash, categories: JSON.stringify(e.categories) })));
}

export async function ledger(db: Db): Promise<Map<string, LedgerEntry>> {
  const { rows } = await db.query<LedgerRow>('SELECT * FROM published_feeds');
  return new Map(rows.map((r) => [r.key, toLedgerEntry(r)]));
}

/**
 * Inside the caller's transaction. The dirty-feed table is locked against
 * writers first: an ingest that commits while a feed's rows are being
 * compared either lands before (and the comparison sees its rows) or
 * marks the feed dirty again after (its insert waits for this to end).
 */
export async function commitPublish(db: Db, c: PublishCommit): Promise<void> {
  await db.query('LOCK TABLE dirty_feeds IN SHARE ROW EXCLUSIVE MODE');
  // The last entry of a key wins, as when they are written one by one.
  const entries = [...new Map(c.ledger).entries()].map(([key, e]) => ledgerRow(key, e));
  if (entries.length) {
    await db.query(
      `INSERT INTO published_feeds (key, spec_hash, rows_hash, latest)
       SELECT key, spec_hash, rows_hash, latest FROM json_to_recordset($1) AS u(key text, spec_hash text, rows_hash text, latest text) ORDER BY key
       ON CONFLICT (key) DO UPDATE SET spec_hash = excluded.spec_hash, rows_hash = excluded.rows_hash, latest = excluded.latest`,
      [jsonRows(entries)],
    );
  }
  const clear = new Set(c.clear);
  const tops = await topArticles(db, c.clearIfUnchanged);
  c.clearIfUnchanged.forEach((f, i) => {
    if (rowsHash(tops[i]) === f.rowsHash) clear.add(f.key);
  });
  if (clear.size) await db.query('DELETE FROM dirty_feeds WHERE key = ANY($1::text[])', [[...clear]]);
}
