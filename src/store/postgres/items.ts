import type { ArticleFileGone, ArticleHiding, ArticleRewrite, KnownItem, OwnedArticle, PendingFile, PruneRequest, PruneResult, RestoredArticle, WrittenArticleFile } from '../types.ts';
import { feedKeysOf, slugsOf } from '../types.ts';
import { lockChannels, markDirty } from './channels.ts';
import { jsonRows, pgText, pgTexts, type Db } from './connection.ts';
import { originalColumn } from '../content-rows.ts';
import { restoredArticleRow, toOwnedArticle, toPendingFile, type OwnedRow, type PendingRow } from '../row-shapes.ts';

// Items as channels list them, besides the commit (commit.ts): what a
// channel already lists, the article files to write, and restoring
// articles from their files. Semantics as ../sqlite/items.ts.

export async function knownItems(db: Db, key: string, itemKeys: readonly string[]): Promise<Map<string, KnownItem>> {
  const { rows } = await db.query<{ channel_id: number; item_key: string; article_id: string; first_seen: number; owner_id: number; content_hash: string }>(
    `SELECT e.channel_id, e.item_key, e.article_id, e.first_seen, a.owner_id, a.content_hash
     FROM channels ch JOIN entries e ON e.channel_id = ch.id JOIN articles a ON a.id = e.article_id
     WHERE ch.key = $1 AND e.item_key = ANY($2::text[])`,
    [key, pgTexts(itemKeys)],
  );
  // Keys as the caller gave them (a key with U+0000 is stored with U+FFFD).
  const given = new Map(itemKeys.map((k) => [pgText(k), k]));
  const out = new Map<string, KnownItem>();
  for (const r of rows) {
    out.set(given.get(r.item_key) ?? r.item_key, { articleId: r.article_id, firstSeen: r.first_seen, owned: r.owner_id === r.channel_id, contentHash: r.content_hash });
  }
  return out;
}

/** Content key → item key of the channel's first entry with it (see Store.knownContent). */
export async function knownContent(db: Db, key: string, contentKeys: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!contentKeys.length) return out;
  const { rows } = await db.query<{ item_key: string; content_key: string }>(
    `SELECT e.item_key, e.content_key FROM channels ch JOIN entries e ON e.channel_id = ch.id
     WHERE ch.key = $1 AND e.content_key = ANY($2::text[]) ORDER BY e.first_seen, e.item_key`,
    [key, [...contentKeys]],
  );
  for (const r of rows) if (!out.has(r.content_key)) out.set(r.content_key, r.item_key);
  return out;
}

/** Inside the caller's transaction (see Store.pruneEntries). */
export async function pruneEntries(db: Db, key: string, r: PruneRequest): Promise<PruneResult> {
  const result: PruneResult = { entries: 0, articles: [] };
  await lockChannels(db, 'use');
  // Commits of the channel wait (as they wait for each other): its entries stay as read.
  const ch = (await db.query<{ id: number }>('SELECT id FROM channels WHERE key = $1 FOR UPDATE', [key])).rows[0];
  if (!ch) return result;
  const candidates = (
    await db.query<{ item_key: string; article_id: string }>(
      `SELECT item_key, article_id FROM (
         SELECT item_key, article_id, first_seen, date, row_number() OVER (ORDER BY date DESC, article_id, seq) AS n FROM entries WHERE channel_id = $1
       ) r
       WHERE r.n > $2 AND r.first_seen < $3 AND r.date < $3 AND NOT (r.article_id = ANY($4::text[]))`,
      [ch.id, r.keep, r.before, [...r.protect]],
    )
  ).rows;
  if (!candidates.length) return result;
  // The articles locked, then checked: another channel's commit listing one meanwhile keeps it.
  const ids = [...new Set(candidates.map((c) => c.article_id))];
  await db.query('SELECT id FROM articles WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [ids]);
  const shared = new Set(
    (
      await db.query<{ article_id: string }>(
        'SELECT DISTINCT article_id FROM entries WHERE article_id = ANY($1::text[]) AND channel_id <> $2',
        [ids, ch.id],
      )
    ).rows.map((x) => x.article_id),
  );
  const perArticle = new Map<string, number>();
  for (const c of candidates) perArticle.set(c.article_id, (perArticle.get(c.article_id) ?? 0) + 1);
  const listedTwice = new Set(
    (
      await db.query<{ article_id: string; n: number }>(
        'SELECT article_id, count(*)::int AS n FROM entries WHERE channel_id = $1 AND article_id = ANY($2::text[]) GROUP BY article_id',
        [ch.id, ids],
      )
    ).rows.filter((x) => x.n > 1).map((x) => x.article_id),
  );
  const gone = candidates.filter((c) => !shared.has(c.article_id) && !listedTwice.has(c.article_id));
  if (!gone.length) return result;
  const deleted = await db.query('DELETE FROM entries WHERE channel_id = $1 AND item_key = ANY($2::text[])', [ch.id, gone.map((g) => g.item_key)]);
  result.entries = deleted.rowCount ?? gone.length;
  const articles = await db.query<{ id: string; path: string; old_path: string | null }>(
    'DELETE FROM articles WHERE id = ANY($1::text[]) RETURNING id, path, old_path',
    [gone.map((g) => g.article_id)],
  );
  for (const a of articles.rows) result.articles.push({ id: a.id, path: a.path, ...(a.old_path ? { oldPath: a.old_path } : {}) });
  return result;
}

export async function ownedArticles(db: Db, key: string, after: string, limit: number): Promise<OwnedArticle[]> {
  const { rows } = await db.query<OwnedRow>(
    `SELECT a.id, a.identity, a.path, a.content_hash, a.old_path, a.title, a.link, a.guid, a.date, a.author, a.headimg, a.categories, a.html, a.extra, a.original,
       a.hidden
     FROM articles a JOIN channels ch ON ch.id = a.owner_id WHERE ch.key = $1 AND a.id > $2 AND a.html IS NOT NULL ORDER BY a.id LIMIT $3`,
    [key, after, limit],
  );
  return rows.map(toOwnedArticle);
}

/** Inside the caller's transaction (see Store.rewriteArticles). */
export async function rewriteArticles(db: Db, key: string, rewrites: readonly ArticleRewrite[]): Promise<number> {
  if (!rewrites.length) return 0;
  await lockChannels(db, 'use');
  const ch = (await db.query<{ id: number }>('SELECT id FROM channels WHERE key = $1', [key])).rows[0];
  if (!ch) return 0;
  const rows = rewrites.map((r) => ({
    id: r.id,
    expect: r.expectHash,
    hash: r.contentHash,
    title: r.title,
    html: r.html,
    headimg: r.headimg,
    original: originalColumn({ title: r.title, html: r.html, original: r.original }),
  }));
  const changed = await db.query<{ id: string }>(
    `UPDATE articles a SET title = u.title, html = u.html, headimg = u.headimg, content_hash = u.hash, original = u.original
     FROM json_to_recordset($1) AS u(id text, expect text, hash text, title text, html text, headimg text, original text)
     WHERE a.id = u.id AND a.owner_id = $2 AND a.content_hash = u.expect RETURNING a.id`,
    [jsonRows(rows), ch.id],
  );
  if (!changed.rows.length) return 0;
  const feeds = await db.query<{ g: string; s: string; c: string }>('SELECT DISTINCT g, s, c FROM entries WHERE article_id = ANY($1::text[]) AND g IS NOT NULL', [
    changed.rows.map((r) => r.id),
  ]);
  await markDirty(db, feeds.rows.flatMap((f) => feedKeysOf([f.g, f.s, f.c])));
  return changed.rows.length;
}

export async function setRewrites(db: Db, key: string, fingerprint: string): Promise<void> {
  await db.query('UPDATE channels SET rewrites = $1 WHERE key = $2', [fingerprint, key]);
}

/** Inside the caller's transaction (see Store.hideArticles). */
export async function hideArticles(db: Db, key: string, changes: readonly ArticleHiding[]): Promise<number> {
  if (!changes.length) return 0;
  await lockChannels(db, 'use');
  const ch = (await db.query<{ id: number }>('SELECT id FROM channels WHERE key = $1', [key])).rows[0];
  if (!ch) return 0;
  // Hidden, its file (file_hash set) is left to remove; shown again, it is behind: written from the store.
  const { rowCount } = await db.query(
    `UPDATE articles a SET hidden = u.hidden, file_hash = CASE WHEN u.hidden THEN a.file_hash ELSE NULL END
     FROM json_to_recordset($1) AS u(id text, hidden boolean, "expectHash" text)
     WHERE a.id = u.id AND a.owner_id = $2 AND a.content_hash = u."expectHash" AND a.hidden <> u.hidden`,
    [jsonRows(changes), ch.id],
  );
  return rowCount ?? 0;
}

export async function hiddenFiles(db: Db, limit: number): Promise<ArticleFileGone[]> {
  const { rows } = await db.query<{ id: string; path: string; old_path: string | null }>(
    'SELECT id, path, old_path FROM articles WHERE hidden AND file_hash IS NOT NULL ORDER BY id LIMIT $1',
    [limit],
  );
  return rows.map((r) => ({ id: r.id, path: r.path, ...(r.old_path ? { oldPath: r.old_path } : {}) }));
}

export async function markFilesRemoved(db: Db, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  await db.query('UPDATE articles SET file_hash = NULL, old_path = NULL WHERE id = ANY($1::text[]) AND hidden', [[...ids]]);
}

export async function setRules(db: Db, key: string, fingerprint: string): Promise<void> {
  await db.query('UPDATE channels SET rules = $1 WHERE key = $2', [fingerprint, key]);
}

export async function pendingFiles(db: Db, limit: number): Promise<PendingFile[]> {
  const { rows } = await db.query<PendingRow>(
    `SELECT id, identity, path, content_hash, old_path, title, link, guid, date, author, headimg, categories, html, extra FROM articles
     WHERE file_hash IS DISTINCT FROM content_hash AND NOT hidden ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows.map(toPendingFile);
}

export async function markFilesWritten(db: Db, files: readonly WrittenArticleFile[]): Promise<void> {
  if (!files.length) return;
  await db.query(
    `UPDATE articles a SET content_hash = u."contentHash", file_hash = u."contentHash", old_path = NULL
     FROM json_to_recordset($1) AS u(id text, "contentHash" text, "expectHash" text)
     WHERE a.id = u.id AND a.content_hash = u."expectHash"`,
    [jsonRows(files)],
  );
}

/**
 * Inside the caller's transaction. Returns how many were put back: an article
 * the store lacks, or a listing of the file's channel it lacks; what the store
 * has is left as it is (see ../sqlite/items.ts), so this can run on any state.
 */
export async function restoreArticles(db: Db, articles: readonly RestoredArticle[]): Promise<number> {
  if (!articles.length) return 0;
  await lockChannels(db, 'use');
  const channels = new Map(
    (await db.query<{ id: number; key: string }>('SELECT id, key FROM channels WHERE key = ANY($1::text[])', [[...new Set(articles.map((a) => a.channelKey))]])).rows.map(
      (r) => [r.key, r.id],
    ),
  );
  const wanted = articles.flatMap((a) => {
    const owner = channels.get(a.channelKey);
    return owner === undefined ? [] : [{ ...a, itemKey: pgText(a.itemKey), owner }];
  });
  const entryKey = (channel: number, itemKey: string) => `${channel}\n${itemKey}`;
  const listed = new Set(
    (
      await db.query<{ channel_id: number; item_key: string }>(
        'SELECT e.channel_id, e.item_key FROM entries e JOIN unnest($1::int[], $2::text[]) AS u(c, k) ON e.channel_id = u.c AND e.item_key = u.k',
        [wanted.map((a) => a.owner), wanted.map((a) => a.itemKey)],
      )
    ).rows.map((r) => entryKey(r.channel_id, r.item_key)),
  );
  // The article a file names: its id, else (a file from before ids were stamped) the one its name abbreviates.
  const stored = new Map<string, { id: string; date: number }>();
  for (const r of (await db.query<{ id: string; date: number }>('SELECT id, date FROM articles WHERE id = ANY($1::text[])', [wanted.map((a) => a.id)])).rows) {
    stored.set(r.id, r);
  }
  // Only a file name's 20 characters can stand for a longer id (a file from before stamps); a full id is its own.
  const stems = [...new Set(wanted.filter((a) => a.id.length === 20 && !stored.has(a.id)).map((a) => a.id))];
  const byStem = new Map<string, { id: string; date: number }>();
  if (stems.length) {
    const { rows } = await db.query<{ id: string; date: number }>('SELECT id, date FROM articles WHERE left(id, 20) = ANY($1::text[]) ORDER BY id', [stems]);
    for (const r of rows) if (!byStem.has(r.id.slice(0, 20))) byStem.set(r.id.slice(0, 20), r);
  }
  // Articles the channels list already, under whatever key (a file from before stamps is keyed by its name).
  const found = [...new Set([...stored.values(), ...byStem.values()].map((a) => a.id))];
  const listing = new Set(
    (
      await db.query<{ channel_id: number; article_id: string }>('SELECT channel_id, article_id FROM entries WHERE article_id = ANY($1::text[])', [found])
    ).rows.map((r) => entryKey(r.channel_id, r.article_id)),
  );
  // Decided in file order, as if put back one by one.
  const newRows: ReturnType<typeof restoredArticleRow>[] = [];
  const entries: { channel_id: number; item_key: string; article_id: string; first_seen: number; date: number; g: string; s: string; c: string }[] = [];
  const dirty: string[] = [];
  for (const a of wanted) {
    const key = entryKey(a.owner, a.itemKey);
    if (listed.has(key)) continue;
    let article = stored.get(a.id) ?? (a.id.length === 20 ? byStem.get(a.id) : undefined);
    if (article && listing.has(entryKey(a.owner, article.id))) continue;
    if (!article) {
      const row = restoredArticleRow(a, a.owner);
      newRows.push(row);
      article = { id: row.id, date: row.date };
      stored.set(row.id, article);
      byStem.set(row.id.slice(0, 20), article);
    }
    listed.add(key);
    listing.add(entryKey(a.owner, article.id));
    const [g, s, c] = slugsOf(a.channelKey);
    entries.push({ channel_id: a.owner, item_key: a.itemKey, article_id: article.id, first_seen: a.firstSeen, date: Number(article.date), g, s, c });
    dirty.push(...feedKeysOf([g, s, c]));
  }
  if (newRows.length) {
    await db.query(
      `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, file_hash, path, author, headimg, guid, categories,
         html, extra)
       SELECT id, identity, owner_id, title, link, date, first_seen, content_hash, content_hash, path, author, headimg, guid, categories, html, extra
       FROM json_to_recordset($1) AS u(id text, identity text, owner_id int, title text, link text, date bigint, first_seen bigint, content_hash text,
         path text, author text, headimg text, guid text, categories text, html text, extra text)
       ORDER BY id ON CONFLICT (id) DO NOTHING`,
      [jsonRows(newRows)],
    );
  }
  if (entries.length) {
    await db.query(
      `INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c)
       SELECT channel_id, item_key, article_id, first_seen, date, g, s, c
       FROM json_to_recordset($1) AS u(channel_id int, item_key text, article_id text, first_seen bigint, date bigint, g text, s text, c text)
       ON CONFLICT DO NOTHING`,
      [jsonRows(entries)],
    );
  }
  await markDirty(db, dirty);
  return entries.length;
}
