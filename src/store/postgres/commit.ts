import { articleColumns, contentRole, fileWriteOf } from '../row-shapes.ts';
import type { ArticleContentWrite, CommitResult, ItemFragments, ItemWrite } from '../types.ts';
import { articleIdFor, articlePath, feedKeysOf, slugsOf } from '../types.ts';
import { lockChannels, markDirty } from './channels.ts';
import { jsonRows, pgText, type Db } from './connection.ts';
import { upsertFragments } from './feeds.ts';

// A channel's commit of items, with the semantics of ../sqlite/items.ts
// (an article stored once per link, its content from the lowest-id
// configured channel listing it), in a fixed number of statements: the rows
// the items touch are read and locked at once, every item is decided in
// order against them (and against what the items before it did), and the
// outcome is written at once.
//
// Other processes commit at the same time. Rows that exist are locked
// (FOR UPDATE, in id order) before anything is decided, so two channels
// racing for an article's ownership take turns, each deciding on the
// other's result. A new article's id comes from its link, so two processes
// storing the same new link collide on the primary key: the loser's insert
// does nothing, and it decides again (from a savepoint) with the winner's
// row in view.

interface Head {
  id: string;
  owner_id: number;
  owner_live: boolean;
  content_hash: string;
  path: string;
  old_path: string | null;
  date: number;
  link: string | null;
  first_seen: number;
}

interface EntryWrite {
  item_key: string;
  article_id: string;
  first_seen: number;
  date: number;
  content_key?: string | null;
}

/** A full article row as written. */
interface ArticleRow extends Head {
  identity: string;
  title: string;
  author: string;
  headimg: string;
  guid: string | null;
  categories: string;
  html: string;
  extra: string;
  original: string | null;
  /** Its channel's rules hide it: no file (see ItemWrite.hidden). */
  hidden: boolean;
}

interface Plan {
  result: CommitResult;
  inserts: Map<string, ArticleRow>;
  updates: Map<string, ArticleRow>;
  entries: EntryWrite[];
  /** Articles given new content: their entries take its date, their feeds are dirty. */
  written: Map<string, number>;
  /** The feed fragments of that new content, where the ingest encoded them. */
  fragments: Map<string, ItemFragments>;
  dirty: Set<string>;
}

const HEAD_COLUMNS = 'id, owner_id, content_hash, path, old_path, date, link, first_seen';
const ARTICLE_RECORD = `id text, identity text, owner_id int, title text, link text, date bigint, first_seen bigint, content_hash text, path text,
  old_path text, author text, headimg text, guid text, categories text, html text, extra text, original text, hidden boolean`;
const MAX_PASSES = 8;

/** Inside the caller's transaction. */
export async function commitItems(db: Db, key: string, items: readonly ItemWrite[]): Promise<CommitResult> {
  await lockChannels(db, 'use');
  // Commits of one channel take turns: its entries stay as read until this one ends.
  const ch = (await db.query<{ id: number }>('SELECT id FROM channels WHERE key = $1 FOR UPDATE', [key])).rows[0];
  if (!ch) throw new Error(`channel "${key}" is not registered`);
  const slugs = slugsOf(key);
  for (let pass = 1; ; pass++) {
    await db.query('SAVEPOINT commit_items');
    const plan = await decide(db, ch.id, slugs, items);
    if (plan.inserts.size) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, path, old_path, author, headimg, guid, categories, html, extra,
           original, hidden)
         SELECT id, identity, owner_id, title, link, date, first_seen, content_hash, path, old_path, author, headimg, guid, categories, html, extra, original, hidden
         FROM json_to_recordset($1) AS u(${ARTICLE_RECORD}) ORDER BY id ON CONFLICT (id) DO NOTHING RETURNING id`,
        [jsonRows([...plan.inserts.values()])],
      );
      if (rows.length < plan.inserts.size) {
        // Another process stored one of these articles meanwhile (it has committed: its row is now in view).
        if (pass >= MAX_PASSES) throw new Error(`channel "${key}": articles kept being stored concurrently; giving up after ${pass} attempts`);
        await db.query('ROLLBACK TO SAVEPOINT commit_items');
        continue;
      }
    }
    await write(db, ch.id, slugs, plan);
    return plan.result;
  }
}

async function decide(db: Db, channelId: number, slugs: [string, string, string], items: readonly ItemWrite[]): Promise<Plan> {
  const [g, s] = slugs;
  const keys = items.map((i) => pgText(i.itemKey));
  const entries = new Map(
    (
      await db.query<EntryWrite>('SELECT item_key, article_id, first_seen, date FROM entries WHERE channel_id = $1 AND item_key = ANY($2::text[])', [
        channelId,
        keys,
      ])
    ).rows.map((e) => [e.item_key, e]),
  );
  const unlisted = items.filter((_, i) => !entries.has(keys[i]));
  const links = [...new Set(unlisted.flatMap((i) => (i.link ? [pgText(i.link)] : [])))];
  // The first id a new article would take: whether it is taken is known without another query.
  const firstIds = unlisted.map((i) => articleIdFor(channelId, i.itemKey, i.link, 1));
  // Locked alone, then joined: a row another commit changed meanwhile is re-read when the lock is granted,
  // and a join inside the locking query would keep pairing it with its former owner's channel row.
  const { rows } = await db.query<Head>(
    `WITH a AS (SELECT ${HEAD_COLUMNS} FROM articles WHERE id = ANY($1::text[]) OR link = ANY($2::text[]) ORDER BY id FOR UPDATE)
     SELECT a.*, (ch.key IS NOT NULL) AS owner_live FROM a LEFT JOIN channels ch ON ch.id = a.owner_id`,
    [[...new Set([...[...entries.values()].map((e) => e.article_id), ...firstIds])], links],
  );
  const heads = new Heads(rows);
  const absent = new Set(firstIds.filter((id) => !heads.has(id)));
  const taken = async (id: string) => {
    if (heads.has(id)) return true;
    if (absent.has(id)) return false;
    return (await db.query('SELECT 1 FROM articles WHERE id = $1', [id])).rows.length > 0;
  };

  const plan: Plan = { result: { newItems: 0, updatedItems: 0, duplicates: 0, files: [] }, inserts: new Map(), updates: new Map(), entries: [], written: new Map(), fragments: new Map(), dirty: new Set() };
  const { result } = plan;
  for (const [i, item] of items.entries()) {
    const itemKey = keys[i];
    const entry = entries.get(itemKey);
    let head = entry ? heads.get(entry.article_id) : undefined;
    if (!entry) {
      head = item.link ? heads.byLink(pgText(item.link)) : undefined;
      if (head) result.duplicates++;
    }
    const { owns, writes } = contentRole(channelId, head, item.article.contentHash);
    let articleId = head?.id;
    for (let n = 1; articleId === undefined; n++) {
      const id = articleIdFor(channelId, item.itemKey, item.link, n);
      if (!(await taken(id))) articleId = id;
    }
    const firstSeen = entry?.first_seen ?? item.firstSeen;
    if (!entry) {
      // An entry sorts by its article's date, which the owner's content sets.
      const e = { item_key: itemKey, article_id: articleId, first_seen: firstSeen, date: owns ? item.article.date : head!.date, content_key: item.contentKey ?? null };
      plan.entries.push(e);
      entries.set(itemKey, e);
    }
    if (!writes) {
      if (!entry) for (const k of feedKeysOf(slugs)) plan.dirty.add(k);
      continue;
    }
    const path = articlePath([g, s], articleId);
    const row = articleRow(item.article, { id: articleId, owner: channelId, path, firstSeen, before: head, hidden: item.hidden === true });
    heads.set(row);
    if (plan.inserts.has(articleId) || !head) plan.inserts.set(articleId, row);
    else plan.updates.set(articleId, row);
    plan.written.set(articleId, item.article.date);
    if (item.article.fragments) plan.fragments.set(articleId, item.article.fragments);
    else plan.fragments.delete(articleId);
    if (!head) result.newItems++;
    else if (entry) result.updatedItems++;
    result.files.push(fileWriteOf(item, articleId, path, head?.path));
  }
  return plan;
}

/** The article rows this commit has seen, as it has left them, by id and by link. */
class Heads {
  private readonly byId = new Map<string, Head>();
  private readonly links = new Map<string, Set<Head>>();

  constructor(rows: readonly Head[]) {
    for (const h of rows) this.set(h);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): Head | undefined {
    return this.byId.get(id);
  }

  set(h: Head): void {
    const before = this.byId.get(h.id);
    if (before?.link) this.links.get(before.link)?.delete(before);
    this.byId.set(h.id, h);
    if (h.link) {
      let set = this.links.get(h.link);
      if (!set) this.links.set(h.link, (set = new Set()));
      set.add(h);
    }
  }

  /** The article another channel stored under this link: one whose owner is still configured first, the oldest then. */
  byLink(link: string): Head | undefined {
    let best: Head | undefined;
    for (const h of this.links.get(link) ?? []) if (!best || rank(h, best) < 0) best = h;
    return best;
  }
}

/** byLink's order: live owner first, then the oldest, then by id. */
function rank(a: Head, b: Head): number {
  if (a.owner_live !== b.owner_live) return a.owner_live ? -1 : 1;
  if (a.first_seen !== b.first_seen) return a.first_seen - b.first_seen;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The row as SQLite's insert or update leaves it: first_seen the earliest, the previous file's place kept until it is rewritten. */
function articleRow(a: ArticleContentWrite, at: { id: string; owner: number; path: string; firstSeen: number; before?: Head; hidden: boolean }): ArticleRow {
  const { before } = at;
  return {
    ...articleColumns(a),
    hidden: at.hidden,
    id: at.id,
    owner_id: at.owner,
    owner_live: true,
    // As stored: byLink finds it under the same key as the rows read back.
    link: a.link === undefined ? null : pgText(a.link),
    first_seen: before ? Math.min(before.first_seen, at.firstSeen) : at.firstSeen,
    path: at.path,
    old_path: before && before.path !== at.path ? (before.old_path ?? before.path) : (before?.old_path ?? null),
  };
}

async function write(db: Db, channelId: number, slugs: [string, string, string], plan: Plan): Promise<void> {
  if (plan.updates.size) {
    await db.query(
      `UPDATE articles a SET identity = u.identity, owner_id = u.owner_id, title = u.title, link = u.link, date = u.date, first_seen = u.first_seen,
         content_hash = u.content_hash, path = u.path, old_path = u.old_path, author = u.author, headimg = u.headimg, guid = u.guid,
         categories = u.categories, html = u.html, extra = u.extra, original = u.original, file_mtime = NULL, file_size = NULL,
         hidden = u.hidden
       FROM json_to_recordset($1) AS u(${ARTICLE_RECORD}) WHERE a.id = u.id`,
      [jsonRows([...plan.updates.values()])],
    );
  }
  // After the updates, whose trigger dropped the fragments of the content they replace.
  await upsertFragments(db, [...plan.fragments].map(([id, fragments]) => ({ id, fragments })));
  if (plan.entries.length) {
    const [g, s, c] = slugs;
    await db.query(
      `INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c, content_key)
       SELECT $2, item_key, article_id, first_seen, date, $3, $4, $5, content_key
       FROM json_to_recordset($1) AS u(item_key text, article_id text, first_seen bigint, date bigint, content_key text)`,
      [jsonRows(plan.entries), channelId, g, s, c],
    );
  }
  if (plan.written.size) {
    const written = [...plan.written].map(([id, date]) => ({ id, date }));
    await db.query(
      `UPDATE entries e SET date = u.date FROM json_to_recordset($1) AS u(id text, date bigint) WHERE e.article_id = u.id AND e.date <> u.date`,
      [jsonRows(written)],
    );
    const feeds = await db.query<{ g: string; s: string; c: string }>('SELECT DISTINCT g, s, c FROM entries WHERE article_id = ANY($1::text[]) AND g IS NOT NULL', [
      written.map((w) => w.id),
    ]);
    for (const f of feeds.rows) for (const k of feedKeysOf([f.g, f.s, f.c])) plan.dirty.add(k);
  }
  await markDirty(db, plan.dirty);
}
