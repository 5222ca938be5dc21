import type { ArticleContent, ChannelMeta, ChannelState, ChannelStatus, LatestEntry } from '../core/types.ts';
import { articleContentOf, extraColumn, originalColumn, originalOf } from './content-rows.ts';
import type { ArticleContentWrite, ArticleRecord, ChannelInput, FileWrite, FullTextEntry, ItemWrite, ItemFragments, LedgerEntry, OwnedArticle, PendingFile, RestoredArticle } from './types.ts';

// Rows as both stores return them (the same column names and encodings in
// SQLite and PostgreSQL), turned into the Store interface's types.

export interface ChannelRow {
  id: number;
  key: string | null;
  group_name: string;
  source_name: string;
  channel_name: string;
  config_url: string;
  url: string;
  created_at: number;
  removed_at: number | null;
  etag: string | null;
  last_modified: string | null;
  last_fetch_at: number | null;
  last_success_at: number | null;
  last_status: string | null;
  last_error: string | null;
  last_warning: string | null;
  consecutive_failures: number;
  next_run_at: number | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  disabled: number | boolean;
  item_count?: number;
  /** JSON ChannelMeta (schema v6 / migration 5). */
  meta?: string;
  /** The rewrites fingerprint its owned articles are at (schema v8 / migration 7). */
  rewrites?: string;
  /** The rules fingerprint its owned articles' files were judged under (schema v9 / migration 8). */
  rules?: string;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function toChannelState(r: ChannelRow): ChannelState {
  return {
    key: r.key ?? '',
    id: r.id,
    url: r.url,
    createdAt: r.created_at,
    etag: opt(r.etag),
    lastModified: opt(r.last_modified),
    lastFetchAt: opt(r.last_fetch_at),
    lastSuccessAt: opt(r.last_success_at),
    lastStatus: opt(r.last_status) as ChannelStatus | undefined,
    lastError: opt(r.last_error),
    lastWarning: opt(r.last_warning),
    consecutiveFailures: r.consecutive_failures,
    nextRunAt: opt(r.next_run_at),
    disabled: r.disabled === true || r.disabled === 1,
    itemCount: r.item_count ?? 0,
    ...(r.meta && r.meta !== '{}' ? { meta: channelMetaOf(r.meta) } : {}),
    ...(r.rewrites ? { rewrites: r.rewrites } : {}),
    ...(r.rules ? { rules: r.rules } : {}),
  };
}

/** The stored meta, keeping only well-formed fields: a hand-edited or damaged value reads as nothing known. */
function channelMetaOf(json: string): ChannelMeta {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof v !== 'object' || v === null) return {};
  const o = v as Record<string, unknown>;
  const hubs = Array.isArray(o.hubs) ? o.hubs.filter((h): h is string => typeof h === 'string') : [];
  return {
    ...(typeof o.image === 'string' ? { image: o.image } : {}),
    ...(hubs.length ? { hubs } : {}),
    ...(typeof o.self === 'string' ? { self: o.self } : {}),
  };
}

/** A feed's row: an entry and its article. */
export interface FeedRow {
  id: string;
  /** The item key (see articleColumns). */
  identity: string;
  channel_key: string;
  g: string;
  s: string;
  c: string;
  title: string;
  link: string | null;
  date: number;
  first_seen: number;
  content_hash: string;
  path: string;
}

function toArticleRecord(r: FeedRow): ArticleRecord {
  return {
    id: r.id,
    itemKey: r.identity,
    channelKey: r.channel_key,
    slugs: [r.g, r.s, r.c],
    title: r.title,
    ...(r.link !== null ? { link: r.link } : {}),
    date: r.date,
    firstSeen: r.first_seen,
    contentHash: r.content_hash,
    path: r.path,
  };
}

/** A feed's first `limit` articles, from its rows in feed order: an article several of its channels list comes once. */
export function distinctArticles(rows: readonly FeedRow[], limit: number): ArticleRecord[] {
  const seen = new Set<string>();
  const out: ArticleRecord[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(toArticleRecord(r));
    if (out.length === limit) break;
  }
  return out;
}

/**
 * What a channel's item does to the article it is stored as (none yet: a new
 * one). The channel supplies the article's content when no configured channel
 * before it does, so the lowest-id configured channel listing an article owns
 * it whatever order fetches finish in; it rewrites the content unless it
 * already owns it with the same.
 */
export function contentRole(
  channelId: number,
  head: { owner_id: number; owner_live: number | boolean; content_hash: string } | undefined,
  contentHash: string,
): { owns: boolean; writes: boolean } {
  const owns = !head || head.owner_id === channelId || !head.owner_live || channelId < head.owner_id;
  return { owns, writes: owns && !(head?.content_hash === contentHash && head.owner_id === channelId) };
}

/** The columns an article's content sets, as a commit writes them (the row's file stat is unknown until its file is written). */
export function articleColumns(a: ArticleContentWrite) {
  return {
    // The articles.identity column holds the item key: the TS name changed, the schema did not (no migration for a rename).
    identity: a.itemKey,
    title: a.title,
    link: a.link ?? null,
    date: a.date,
    content_hash: a.contentHash,
    author: a.author,
    headimg: a.headimg,
    guid: a.guid ?? null,
    categories: JSON.stringify(a.categories),
    html: a.html,
    extra: extraColumn(a),
    original: originalColumn(a),
  };
}

/** The content columns a row without content gets from its file (title, link and date are the row's already). */
export function filledContentColumns(c: ArticleContent) {
  return { author: c.author, headimg: c.headimg, guid: c.guid ?? null, categories: JSON.stringify(c.categories), html: c.html, extra: extraColumn(c) };
}

/** An article row as the rewrites read it (see Store.ownedArticles). */
export interface OwnedRow extends PendingRow {
  original: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL (schema v9 / migration 8). */
  hidden: number | boolean;
}

export function toOwnedArticle(r: OwnedRow): OwnedArticle {
  const content = articleContentOf(r);
  const original = originalOf(r.original, content);
  return { id: r.id, itemKey: r.identity, contentHash: r.content_hash, content, hidden: r.hidden === true || r.hidden === 1, ...(original ? { original } : {}) };
}

/** A stored fragments row. */
export interface FragmentsRow {
  article_id: string;
  version: string;
  item_id: string;
  rss: Buffer;
  atom: Buffer;
  json: Buffer;
}

export function toItemFragments(r: FragmentsRow): ItemFragments {
  return { version: r.version, id: r.item_id, rss: r.rss, atom: r.atom, json: r.json };
}

/** A Uint8Array (as a worker thread hands it over) as the Buffer database drivers bind, without copying. */
export const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/** The content columns of an article whose file is written. */
export function cachedContentColumns(c: ArticleContent) {
  return {
    author: c.author,
    headimg: c.headimg,
    guid: c.guid ?? null,
    categories: JSON.stringify(c.categories),
    html: c.html,
    extra: extraColumn(c),
  };
}

/** The row of an article read back from its file, owned by the channel whose folder it is in. */
export function restoredArticleRow(a: RestoredArticle, ownerId: number) {
  const c = a.content;
  return {
    id: a.id,
    identity: a.itemKey, // the column's old name (see articleColumns)
    owner_id: ownerId,
    title: c.title,
    link: c.link ?? null,
    date: c.date.getTime(),
    first_seen: a.firstSeen,
    content_hash: a.contentHash,
    path: a.path,
    ...cachedContentColumns(c),
  };
}

/** A publisher's ledger row. */
export interface LedgerRow {
  key: string;
  spec_hash: string;
  rows_hash: string;
  latest: string | null;
}

export function toLedgerEntry(r: LedgerRow): LedgerEntry {
  const e: LedgerEntry = { specHash: r.spec_hash, rowsHash: r.rows_hash };
  if (r.latest) {
    try {
      e.latest = JSON.parse(r.latest) as LatestEntry[];
    } catch {
      // unreadable: index.html queries the feed instead
    }
  }
  return e;
}

export function ledgerRow(key: string, e: LedgerEntry): LedgerRow {
  return { key, spec_hash: e.specHash, rows_hash: e.rowsHash, latest: e.latest ? JSON.stringify(e.latest) : null };
}

/** An article whose file is behind its row. */
export interface PendingRow {
  id: string;
  /** The item key (see articleColumns). */
  identity: string;
  path: string;
  content_hash: string;
  old_path: string | null;
  title: string;
  link: string | null;
  guid: string | null;
  date: number;
  author: string;
  headimg: string;
  categories: string;
  html: string | null;
  extra: string;
}

export function toPendingFile(r: PendingRow): PendingFile {
  return {
    id: r.id,
    itemKey: r.identity,
    path: r.path,
    contentHash: r.content_hash,
    ...(r.old_path ? { oldPath: r.old_path } : {}),
    content: articleContentOf(r),
  };
}

/** A configured channel and the stored row it is (none: a new channel). */
export interface ChannelMatch {
  input: ChannelInput;
  row?: ChannelRow;
}

/**
 * The identity rule, the same in every store: a configured channel is the
 * row with its key, else the row (no key claimed) with its configured URL,
 * the newest first: a renamed channel, or a removed one added again.
 */
function matchChannels(rows: readonly ChannelRow[], inputs: readonly ChannelInput[]): ChannelMatch[] {
  const byKey = new Map(rows.filter((r) => r.key !== null).map((r) => [r.key!, r]));
  const taken = new Set<number>();
  const matches: ChannelMatch[] = inputs.map((input) => {
    const row = byKey.get(input.key);
    if (row) taken.add(row.id);
    return { input, row };
  });
  const byUrl = new Map<string, ChannelRow>();
  for (const r of rows) if (!taken.has(r.id)) byUrl.set(r.config_url, r);
  for (const m of matches) {
    if (m.row) continue;
    const row = byUrl.get(m.input.url);
    if (row && !taken.has(row.id)) {
      m.row = row;
      taken.add(row.id);
    }
  }
  return matches;
}

/** A matched channel whose key or names change, or that comes back; its files move unless its names are only being learnt. */
export interface ChannelMove {
  row: ChannelRow;
  input: ChannelInput;
  moveFiles: boolean;
}

/** What reconciling the configuration with the stored channels changes, before either store carries it out. */
export interface SyncPlan {
  matches: ChannelMatch[];
  /** Configured channels with no stored row, in configuration order. */
  added: ChannelInput[];
  /** Rows with a key that no configured channel claims: removed. */
  gone: ChannelRow[];
  moves: ChannelMove[];
  /** Channels found under a new key or new names (a rename to report). */
  renamed: { row: ChannelRow; input: ChannelInput }[];
}

export function planSync(rows: readonly ChannelRow[], inputs: readonly ChannelInput[]): SyncPlan {
  const matches = matchChannels(rows, inputs);
  const claimed = new Set(matches.flatMap((m) => (m.row ? [m.row.id] : [])));
  const plan: SyncPlan = { matches, added: [], gone: rows.filter((r) => r.key !== null && !claimed.has(r.id)), moves: [], renamed: [] };
  for (const { input, row } of matches) {
    if (!row) {
      plan.added.push(input);
      continue;
    }
    const sameNames = row.group_name === input.names[0] && row.source_name === input.names[1] && row.channel_name === input.names[2];
    // Names first learnt (a store from before names were kept) are not a rename.
    const learnt = row.key === input.key && row.group_name === '' && row.source_name === '' && row.channel_name === '';
    if ((row.key !== input.key || !sameNames) && !learnt && row.key !== null) plan.renamed.push({ row, input });
    if (row.key !== input.key || !sameNames || row.removed_at !== null) plan.moves.push({ row, input, moveFiles: !learnt });
  }
  return plan;
}

/** A full_text row as both engines read it (PostgreSQL gives `at` as a string: bigint). */
export interface FullTextRow {
  link: string;
  mode: string;
  html: string | null;
  image: string | null;
  error: string | null;
  failures: number;
  at: number | string;
}

export function toFullTextEntry(r: FullTextRow): FullTextEntry {
  return {
    link: r.link,
    mode: r.mode,
    ...(r.html !== null ? { html: r.html } : {}),
    ...(r.image !== null ? { image: r.image } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    failures: Number(r.failures),
    at: Number(r.at),
  };
}

/** The file a commit of `item` leaves to write (or, hidden by its rules, to remove); `previousPath`: where its file was. */
export function fileWriteOf(item: ItemWrite, articleId: string, path: string, previousPath: string | undefined): FileWrite {
  return {
    itemKey: item.itemKey,
    articleId,
    path,
    contentHash: item.article.contentHash,
    ...(previousPath !== undefined && previousPath !== path ? { oldPath: previousPath } : {}),
    ...(item.hidden ? { hidden: true } : {}),
  };
}
