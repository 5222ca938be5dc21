import type Database from 'better-sqlite3';
import { schemaTooNew } from '../errors.ts';

// The SQLite state's schema, all of it, versioned with PRAGMA user_version
// and migrated in place on open (each step in one transaction):
//  - channels: a stable integer id per channel, its current key (slug path),
//    names and URL, and its fetch state; a channel no longer configured keeps
//    its row (key NULL) so its history survives a rename or a re-add;
//  - articles: one row per article, whichever channels list it, with the
//    content its file holds (so publishing never re-reads files it wrote;
//    `extra`: the enclosures, tags and other fields see content-rows.ts) and
//    the hash of the content its file was last written with (file_hash):
//    a row whose file is behind is written again by the next run;
//  - entries: which channel lists which article under which item key, with
//    the channel's current slugs (NULL once it is removed) and the article's
//    date, so a feed's newest articles are one index range;
//  - dirty_feeds, published_feeds: what the publisher has to do and did;
//  - item_fragments: each article's feed items (RSS, Atom, JSON Feed) as
//    encoded from its content, under a version naming the format and site
//    settings: a publish concatenates them. Triggers drop them whenever the
//    content they come from changes or the article goes.

const V2 = `
CREATE TABLE channels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT UNIQUE,
  group_name TEXT NOT NULL DEFAULT '',
  source_name TEXT NOT NULL DEFAULT '',
  channel_name TEXT NOT NULL DEFAULT '',
  config_url TEXT NOT NULL,
  url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  removed_at INTEGER,
  etag TEXT,
  last_modified TEXT,
  last_fetch_at INTEGER,
  last_success_at INTEGER,
  last_status TEXT,
  last_error TEXT,
  last_warning TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX channels_url ON channels(config_url);
CREATE TABLE articles (
  id TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  owner_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  link TEXT,
  date INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  file_hash TEXT,
  path TEXT NOT NULL,
  old_path TEXT,
  author TEXT NOT NULL DEFAULT '',
  headimg TEXT NOT NULL DEFAULT '',
  guid TEXT,
  categories TEXT NOT NULL DEFAULT '[]',
  html TEXT,
  file_mtime REAL,
  file_size INTEGER
);
CREATE INDEX articles_link ON articles(link) WHERE link IS NOT NULL;
CREATE INDEX articles_owner ON articles(owner_id);
CREATE INDEX articles_pending ON articles(id) WHERE file_hash IS NOT content_hash;
CREATE TABLE entries (
  channel_id INTEGER NOT NULL,
  item_key TEXT NOT NULL,
  article_id TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  date INTEGER NOT NULL,
  g TEXT,
  s TEXT,
  c TEXT,
  PRIMARY KEY (channel_id, item_key)
);
CREATE INDEX entries_article ON entries(article_id);
CREATE INDEX entries_all ON entries(date DESC, article_id) WHERE g IS NOT NULL;
CREATE INDEX entries_g ON entries(g, date DESC, article_id);
CREATE INDEX entries_gs ON entries(g, s, date DESC, article_id);
CREATE INDEX entries_gsc ON entries(g, s, c, date DESC, article_id);
CREATE TABLE IF NOT EXISTS dirty_feeds (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS published_feeds (key TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, rows_hash TEXT NOT NULL, latest TEXT);
`;

// Version 3: an article's enclosures, tags, summary, updated date and guid permalink flag; existing rows have none.
const V3 = `ALTER TABLE articles ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';`;

// Version 4: entries remember their item's content key (title, link, body; not
// the guid), so an item a feed repeats under a new guid is known (issue 20).
const V4 = `
ALTER TABLE entries ADD COLUMN content_key TEXT;
CREATE INDEX entries_content ON entries(channel_id, content_key) WHERE content_key IS NOT NULL;
`;

// Version 5: the feed fragments of each article, by an integer key, beside (not in) its row.
const V5 = `
CREATE TABLE item_fragments (
  id INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL UNIQUE,
  version TEXT NOT NULL,
  item_id TEXT NOT NULL,
  rss BLOB NOT NULL,
  atom BLOB NOT NULL,
  json BLOB NOT NULL
);
CREATE INDEX articles_contentless ON articles(id) WHERE html IS NULL;
CREATE TRIGGER item_fragments_stale AFTER UPDATE OF identity, title, link, date, author, headimg, guid, categories, html, extra ON articles
BEGIN DELETE FROM item_fragments WHERE article_id = OLD.id; END;
CREATE TRIGGER item_fragments_gone AFTER DELETE ON articles
BEGIN DELETE FROM item_fragments WHERE article_id = OLD.id; END;
`;


// Version 6: what a channel's source feed says of itself, as JSON ChannelMeta
// {image, hubs, self}: a channel feed's image, and the WebSub hub `run`
// subscribes to when queue workers fetch.
const V6_CHANNEL_META = `ALTER TABLE channels ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';`;

// Version 7: full text (issue 21), one row per item link: the sanitized
// article its page gave, or why it gave none, and when it was tried; an item
// is extracted once, a failure retried as ingest/full-text.ts says.
const V7_FULL_TEXT = `
CREATE TABLE full_text (
  link TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  html TEXT,
  image TEXT,
  error TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  at INTEGER NOT NULL
);
`;
// Version 8 (issue 21, after full text's 7): rewrites applied again when they
// change. An article keeps its original (before its channel's rewrites: JSON
// of what differs, NULL for rows from before, whose content is their own
// original); a channel, the fingerprint of the rewrites its articles are at
// ('' for the defaults, so a store from before is left alone).
const V8_REWRITES = `
ALTER TABLE articles ADD COLUMN original TEXT;
ALTER TABLE channels ADD COLUMN rewrites TEXT NOT NULL DEFAULT '';
`;

// Version 9 (issue 21, after rewrites' 8): article files follow the keep/block
// rules. An article its owner's rules hide has no file (hidden = 1: the
// pending-file writer skips it; while its file_hash is set, its file is still
// on disk, to be removed); a channel records the fingerprint of the rules (and
// rewrites) its articles were judged under ('' : no rules, nothing hidden, so
// a store from before is left alone).
const V9_HIDDEN = `
ALTER TABLE articles ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN rules TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS articles_pending;
CREATE INDEX articles_pending ON articles(id) WHERE file_hash IS NOT content_hash AND hidden = 0;
CREATE INDEX articles_unlinked ON articles(id) WHERE hidden = 1 AND file_hash IS NOT NULL;
`;

export const SCHEMA_VERSION = 9;

/** Brings `db` to the current schema; refuses one written by a newer refeed. */
export function migrate(db: Database.Database, now: number): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  refuseNewer(version);
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process opening the same new
    // file may have migrated it between the read above and this transaction.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current === SCHEMA_VERSION) return;
    refuseNewer(current);
    if (current < 2) {
      const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
      if (tables.has('channels')) fromV1(db, tables, now);
      else db.exec(V2);
    }
    if (current < 3) db.exec(V3);
    if (current < 4) db.exec(V4);
    if (current < 5) db.exec(V5);
    if (current < 6) db.exec(V6_CHANNEL_META);
    if (current < 7) db.exec(V7_FULL_TEXT);
    if (current < 8) db.exec(V8_REWRITES);
    if (current < 9) db.exec(V9_HIDDEN);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function refuseNewer(version: number): void {
  if (version > SCHEMA_VERSION) throw schemaTooNew(version, SCHEMA_VERSION);
}

/**
 * From the first layout (channels keyed by slug path, articles keyed by a
 * hash of channel key and item identity, one row per link): every channel
 * gets an id, every article keeps its id, file and content, and becomes an
 * entry of the channel that stored it.
 */
function fromV1(db: Database.Database, tables: Set<string>, now: number): void {
  const columns = (t: string) => new Set((db.pragma(`table_info(${t})`) as { name: string }[]).map((c) => c.name));
  const has = (t: string, c: string) => columns(t).has(c);
  const col = (t: string, c: string, fallback = 'NULL') => (has(t, c) ? c : fallback);
  db.exec(`ALTER TABLE channels RENAME TO channels_v1; ALTER TABLE articles RENAME TO articles_v1;
    DROP INDEX IF EXISTS articles_link; DROP INDEX IF EXISTS articles_all; DROP INDEX IF EXISTS articles_g;
    DROP INDEX IF EXISTS articles_gs; DROP INDEX IF EXISTS articles_gsc;`);
  db.exec(V2);
  db.prepare(
    `INSERT INTO channels (key, config_url, url, created_at, etag, last_modified, last_fetch_at, last_success_at, last_status, last_error,
       last_warning, consecutive_failures, next_run_at, disabled)
     SELECT key, config_url, url, coalesce((SELECT min(first_seen) FROM articles_v1 a WHERE a.channel_key = c.key), ?), etag, last_modified,
       last_fetch_at, last_success_at, last_status, last_error, ${col('channels_v1', 'last_warning')}, consecutive_failures, next_run_at, disabled
     FROM channels_v1 c ORDER BY key`,
  ).run(now);
  // Articles of channels the old state never registered (an old bench or test store) get a channel row too.
  db.prepare(
    `INSERT INTO channels (key, config_url, url, created_at)
     SELECT DISTINCT channel_key, '', '', ? FROM articles_v1 WHERE channel_key NOT IN (SELECT key FROM channels) ORDER BY channel_key`,
  ).run(now);
  const a = 'articles_v1';
  db.exec(`INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, file_hash, path, author, headimg, guid,
       categories, html, file_mtime, file_size)
     SELECT a.id, a.identity, ch.id, a.title, a.link, a.date, a.first_seen, a.content_hash, a.content_hash, a.path,
       coalesce(${col(a, 'author')}, ''), coalesce(${col(a, 'headimg')}, ''), ${col(a, 'guid')}, coalesce(${col(a, 'categories')}, '[]'),
       ${col(a, 'html')}, ${col(a, 'file_mtime')}, ${col(a, 'file_size')}
     FROM articles_v1 a JOIN channels ch ON ch.key = a.channel_key;
    INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c)
     SELECT ch.id, a.identity, a.id, a.first_seen, a.date, a.g, a.s, a.c FROM articles_v1 a JOIN channels ch ON ch.key = a.channel_key
     ON CONFLICT DO NOTHING;
    DROP TABLE channels_v1; DROP TABLE articles_v1;`);
  if (tables.has('published_feeds') && !has('published_feeds', 'latest')) db.exec('ALTER TABLE published_feeds ADD COLUMN latest TEXT');
  // Names are learnt at the next configuration sync; until then a rename cannot be told from a new channel by names, only by URL.
}
