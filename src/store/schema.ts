import type Database from 'better-sqlite3';

// The state database's schema, all of it: channel state, the article index
// with each file's cached content, the feeds waiting to be published, and the
// publisher's ledger. Created if missing; columns added by later versions are
// added to older databases in place.

const TABLES = `
CREATE TABLE IF NOT EXISTS channels (
  key TEXT PRIMARY KEY,
  config_url TEXT NOT NULL,
  url TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_fetch_at INTEGER,
  last_success_at INTEGER,
  last_status TEXT,
  last_error TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS articles (
  id TEXT PRIMARY KEY,
  channel_key TEXT NOT NULL,
  identity TEXT NOT NULL,
  g TEXT NOT NULL,
  s TEXT NOT NULL,
  c TEXT NOT NULL,
  title TEXT NOT NULL,
  link TEXT,
  date INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  path TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS articles_link ON articles(link) WHERE link IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_all ON articles(date DESC, id);
CREATE INDEX IF NOT EXISTS articles_g ON articles(g, date DESC, id);
CREATE INDEX IF NOT EXISTS articles_gs ON articles(g, s, date DESC, id);
CREATE INDEX IF NOT EXISTS articles_gsc ON articles(g, s, c, date DESC, id);
CREATE TABLE IF NOT EXISTS dirty_feeds (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS published_feeds (key TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, rows_hash TEXT NOT NULL, latest TEXT);
`;

/** Columns later versions added, by table. */
const ADDED_COLUMNS: Record<string, [string, string][]> = {
  // What an article file holds, kept beside its row so publishing never has to
  // re-read and re-parse files it wrote itself; valid while the file's mtime and
  // size are the ones recorded (an editor's change makes the publisher read the file).
  articles: [
    ['author', 'TEXT'],
    ['headimg', 'TEXT'],
    ['guid', 'TEXT'],
    ['categories', 'TEXT'],
    ['html', 'TEXT'],
    ['file_mtime', 'REAL'],
    ['file_size', 'INTEGER'],
  ],
  published_feeds: [['latest', 'TEXT']],
  channels: [['last_warning', 'TEXT']],
};

/** Brings `db` to the current schema. */
export function migrate(db: Database.Database): void {
  db.exec(TABLES);
  for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
    const have = new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
    for (const [name, type] of columns) if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }
}
