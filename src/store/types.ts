import { createHash } from 'node:crypto';
import type { ArticleContent, ArticleOriginal, ChannelMeta, ChannelState, ChannelStatus, LatestEntry, StoredArticle } from '../core/types.ts';

// What refeed keeps, behind one interface: channel identity and fetch state,
// the article index with each article's content, which channels list which
// article, the feeds waiting to be published, the publisher's ledger, and the
// run lock. Every method is a whole operation (one transaction where it
// writes), so that an implementation on a server database does a round trip
// per operation, not per row.

/** A configured channel, as the store identifies it. */
export interface ChannelInput {
  /** Slug path `group/source/channel`: the channel's current feed key. */
  key: string;
  /** The URL the configuration gives. */
  url: string;
  /** [group, source, channel] display names. */
  names: [string, string, string];
}

/** What reconciling the configuration with the stored channels did (or, previewed, would do). */
export interface ChannelSync {
  /** Every configured channel's stable id and first-configured time, by current key. */
  channels: Map<string, { id: number; createdAt: number }>;
  added: string[];
  /** Channels found under a new key or new names (matched by their old key or URL): their history moves with them. */
  renamed: { from: string; to: string; articles: number }[];
  /** Keys no longer configured: their rows are kept (nothing is deleted), their feeds no longer published. */
  removed: string[];
}

/** An article as a feed lists it: its row, and the channel through which it is in the feed. */
export interface ArticleRecord extends StoredArticle {
  id: string;
}

/** What the store knows of items a channel lists, by item key. */
export interface KnownItem {
  articleId: string;
  /** When this channel first listed it. */
  firstSeen: number;
  /** Whether this channel supplies the article's content (it is the lowest-id configured channel listing it). */
  owned: boolean;
  contentHash: string;
}

/** One item of a channel to store: a new listing, or new content for an article the channel owns. */
export interface ItemWrite {
  /** The item's key within the channel: guid, else link, else a content hash. */
  itemKey: string;
  link?: string;
  /** When the channel first listed it (now for a new item). */
  firstSeen: number;
  /** Hash of its title, link and body (not its guid): a later item of the channel with the same key is this article again (see knownContent). */
  contentKey?: string;
  /** The channel's keep/block rules hide the article as stored (after rewrites): it gets no file (see FileWrite.hidden). */
  hidden?: boolean;
  /** The article as this channel gives it (categories are this channel's), and the hash of its file text. */
  article: ArticleContentWrite;
}

/**
 * An item's three feed encodings — RSS `<item>`, Atom `<entry>`, JSON Feed
 * item — as every feed carrying it splices them (UTF-8), made once from the
 * article's content (at ingest, else at the first publish that needs them).
 */
export interface ItemFragments {
  /** The format and site settings they were encoded under: a publish under others encodes them again. */
  version: string;
  /** The item's id in every format (a feed where it clashes gives it another, and encodes it for itself). */
  id: string;
  rss: Uint8Array;
  atom: Uint8Array;
  json: Uint8Array;
}

/** Fragments encoded from an article's content as read: kept only while its row still has that content hash and those categories (a rename changes them). */
export interface FragmentsWrite {
  id: string;
  contentHash: string;
  categories: readonly string[];
  fragments: ItemFragments;
}

/** The article as a commit stores it: its content, item key and file hash, dated in epoch ms. */
export interface ArticleContentWrite extends Omit<ArticleContent, 'date'> {
  itemKey: string;
  /** Epoch ms. */
  date: number;
  contentHash: string;
  /** This content's feed fragments, when the ingest encoded them: stored with it. */
  fragments?: ItemFragments;
  /** The article before its channel's rewrites (see ArticleOriginal): stored with it. */
  original?: ArticleOriginal;
}

/** An article a channel supplies the content of, as the rewrites read it. */
export interface OwnedArticle {
  id: string;
  itemKey: string;
  contentHash: string;
  content: ArticleContent;
  /** Absent for an article stored before rewrites existed: its content is its own original. */
  original?: ArticleOriginal;
  /** Its owner's keep/block rules hide it: it has no article file. */
  hidden: boolean;
}

/** An owned article hidden by its channel's rules, or shown again. */
export interface ArticleHiding {
  id: string;
  hidden: boolean;
  /** The content hash it was judged with: the change is stored only while the row still has it. */
  expectHash: string;
}

/** An article file to remove (relative to the output folder), and its previous place if it had one. */
export interface ArticleFileGone {
  id: string;
  path: string;
  oldPath?: string;
}

/** An owned article brought to its channel's current rewrites. */
export interface ArticleRewrite {
  id: string;
  /** The content hash it was read with: the rewrite is stored only while the row still has it. */
  expectHash: string;
  /** The hash of its file text now. */
  contentHash: string;
  title: string;
  html: string;
  headimg: string;
  original: ArticleOriginal;
}

export interface ChannelSuccess {
  now: number;
  status: ChannelStatus;
  etag?: string;
  lastModified?: string;
  movedTo?: string;
  nextRunAt?: number;
  /** `recovered: …` when the feed was read only after repairs. */
  warning?: string;
  /** What the feed said of itself (a full fetch): replaces the stored meta; absent (a 304, a push) keeps it. */
  meta?: ChannelMeta;
}

export interface ChannelFailure {
  now: number;
  error: string;
  nextRunAt?: number;
  disable?: boolean;
  /**
   * Given (null: never), the channel's last success becomes this: a pass whose
   * commit recorded success and which then failed (its article files could
   * not be written) was not a success after all.
   */
  lastSuccessAt?: number | null;
}

/** An article file to write: the content this commit gave the article, where it goes, and where it was. */
export interface FileWrite {
  itemKey: string;
  articleId: string;
  /** Relative to the output folder. */
  path: string;
  contentHash: string;
  /** The file's previous place when the article moved (another owner, a renamed channel): removed once the new one is written. */
  oldPath?: string;
  /** Hidden by its channel's rules: its file (and previous one) is removed, not written (then markFilesRemoved). */
  hidden?: boolean;
}

export interface CommitResult {
  newItems: number;
  updatedItems: number;
  /** New listings of an article another channel already stored (same link): stored once, listed in both. */
  duplicates: number;
  files: FileWrite[];
}

/** An article whose file is behind its content (a kill between commit and write, a rename): rendered from the store. */
export interface PendingFile {
  id: string;
  /** Its key within the channel that owns it (stamped in its file). */
  itemKey: string;
  path: string;
  /** The row's content hash now ('' when its file text must be rendered again, e.g. after a rename). */
  contentHash: string;
  oldPath?: string;
  content: ArticleContent;
}

export interface WrittenArticleFile {
  id: string;
  /** The hash of the text written. */
  contentHash: string;
  /** The row's content hash the text was made from: the write is recorded only if the row still has it. */
  expectHash: string;
}

/** What was last published for a feed. */
export interface LedgerEntry {
  /** specHash of the configuration inputs it was built from. */
  specHash: string;
  /** rowsHash of the article rows it was built from. */
  rowsHash: string;
  /** Its newest entries as index.html lists them, so the page is rebuilt without querying every feed. */
  latest?: LatestEntry[];
}

export interface PublishCommit {
  ledger: [string, LedgerEntry][];
  /** Dirty feeds to clear if their newest rows still hash to what was published (an ingest meanwhile keeps them dirty). */
  clearIfUnchanged: { key: string; limit: number; rowsHash: string }[];
  /** Dirty feeds to clear whatever their rows (no longer published). */
  clear: string[];
}

/** An article read back from its file (refeed reindex): what its row, its listing and its cached content need. */
export interface RestoredArticle {
  /** The configured channel whose folder and names the file carries. */
  channelKey: string;
  /** Its key within the channel: guid, else link, else a hash. */
  itemKey: string;
  /** The id its file name gives. */
  id: string;
  /** Relative to the output folder. */
  path: string;
  /** Epoch ms: the date the file gives (an undated item's first-seen time). */
  firstSeen: number;
  contentHash: string;
  content: ArticleContent;
}

/** Which of a channel's entries pruneEntries may remove: all three must hold. */
export interface PruneRequest {
  /** The channel's newest entries (in feed order) that are always kept. */
  keep: number;
  /** Epoch ms: only entries first seen, and dated, before this go. */
  before: number;
  /** Article ids never removed (those in the channel's published feeds). */
  protect: readonly string[];
}

/** What pruneEntries removed: the entries, and the articles no channel lists any more, whose files the caller removes. */
export interface PruneResult {
  entries: number;
  articles: { id: string; path: string; oldPath?: string }[];
}

/** How the run before this one ended, as far as the lock can tell: what the output folder may hold of it. */
export type PreviousRun = { ended: 'cleanly' } | { ended: 'killed'; pid: number } | { ended: 'unknown' };

export interface RunLockRequest {
  waitMs: number;
  /** Who asks, as the holder is named to others waiting (`refeed once`). */
  what: string;
  /** Called once, when the lock is found held by someone else (named as in RunLock's holder), before waiting. */
  onWait?: (holder: string) => void;
}

export type RunLock = { acquired: true; release(): Promise<void>; previous: PreviousRun } | { acquired: false; holder: string };

/**
 * One page's full text, as last extracted (keyed by the item's link): the
 * sanitized article, or why there is none. An item is extracted once; a
 * failure is tried again only as ingest's retry policy says (attempts, at).
 */
export interface FullTextEntry {
  link: string;
  /** How it was extracted: `readability`, or the CSS selector. */
  mode: string;
  /** The sanitized article body; absent when the attempt failed. */
  html?: string;
  /** Its first image. */
  image?: string;
  /** Why the last attempt failed ("HTTP 404 Not Found from …"); absent on success. */
  error?: string;
  /** Attempts that failed in a row (0 after a success). */
  failures: number;
  /** When it was last attempted (epoch ms). */
  at: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /**
   * Why the state this store opened is no longer the one at its place (a
   * SQLite file deleted, replaced or emptied under a running process), or
   * undefined while it is. Writes then fail with a StateLostError.
   */
  stateLost?(): string | undefined;

  /** Matches configured channels to stored ones (by key, then by URL), moving renamed ones' history. */
  syncChannels(channels: readonly ChannelInput[], now: number): Promise<ChannelSync>;
  /** What syncChannels would do, changing nothing. */
  previewSync(channels: readonly ChannelInput[]): Promise<ChannelSync>;
  channelState(key: string): Promise<ChannelState | undefined>;
  channelStates(): Promise<ChannelState[]>;
  /** The channel's state after making sure it exists; a new configured URL wins over a remembered redirect. */
  ensureChannel(key: string, url: string, now: number): Promise<ChannelState>;
  recordSuccess(key: string, r: ChannelSuccess): Promise<void>;
  recordFailure(key: string, r: ChannelFailure): Promise<void>;
  setNextRun(key: string, at: number | undefined): Promise<void>;

  knownItems(key: string, itemKeys: readonly string[]): Promise<Map<string, KnownItem>>;
  /** Of these content keys (ItemWrite.contentKey), the ones an entry of the channel has, with that entry's item key: a feed that regenerates guids repeats them. */
  knownContent(key: string, contentKeys: readonly string[]): Promise<Map<string, string>>;
  /** Stores a channel's new listings and new content with its success, in one transaction. */
  commitItems(key: string, items: readonly ItemWrite[], success: ChannelSuccess): Promise<CommitResult>;
  /**
   * Removes the channel's entries beyond the retention bound (see
   * PruneRequest) whose article no other entry lists, with those articles,
   * in one transaction. Feeds are not touched: what a feed shows is protected.
   */
  pruneEntries(key: string, request: PruneRequest): Promise<PruneResult>;
  /** The articles the channel supplies the content of (that have content), ordered by id, after id `after`, at most `limit`. */
  ownedArticles(key: string, after: string, limit: number): Promise<OwnedArticle[]>;
  /**
   * Gives owned articles their rewritten title, body and head image (each
   * only while its row still has `expectHash` and the channel still owns it),
   * in one transaction: their fragments are dropped, their files fall behind
   * (written by the next writePendingFiles) and their feeds become dirty.
   * Returns how many were changed.
   */
  rewriteArticles(key: string, rewrites: readonly ArticleRewrite[]): Promise<number>;
  /** Records the rewrites fingerprint the channel's stored articles are at now (ChannelState.rewrites). */
  setRewrites(key: string, fingerprint: string): Promise<void>;
  /**
   * Hides owned articles from the article files, or shows them again (each
   * only while its row still has `expectHash` and the channel still owns it),
   * in one transaction. A hidden article is skipped by pendingFiles, and its
   * file (if written) is listed by hiddenFiles until removed; one shown again
   * becomes pending (its file is written from the store). Feeds are not
   * touched: what they show is decided at publish (visible-rows). Returns how
   * many changed.
   */
  hideArticles(key: string, changes: readonly ArticleHiding[]): Promise<number>;
  /** Files of hidden articles still on disk (a hide, or a commit, not yet followed by their removal), at most `limit`. */
  hiddenFiles(limit: number): Promise<ArticleFileGone[]>;
  /** Records these hidden articles' files removed. */
  markFilesRemoved(ids: readonly string[]): Promise<void>;
  /** Records the rules fingerprint the channel's owned articles were judged under (ChannelState.rules). */
  setRules(key: string, fingerprint: string): Promise<void>;
  /** Articles whose file is behind their content (hidden ones apart), at most `limit`. */
  pendingFiles(limit: number): Promise<PendingFile[]>;
  markFilesWritten(files: readonly WrittenArticleFile[]): Promise<void>;

  /** The newest `limit` articles of a feed key ('' merged, 'g', 'g/s', 'g/s/c'), newest first, each once. */
  topArticles(feedKey: string, limit: number): Promise<ArticleRecord[]>;
  /** The content the store holds for these articles (the truth their files and feed items are written from), by id. */
  articleContent(ids: readonly string[]): Promise<Map<string, ArticleContent>>;
  /** The feed fragments stored for these articles' current content under `version`, by id (others are missing: encode them). */
  itemFragments(ids: readonly string[], version: string): Promise<Map<string, ItemFragments>>;
  /** Articles whose row lacks their content (a state from refeed 0.1 kept it only in the files), at most `limit`. */
  articlesWithoutContent(limit: number): Promise<{ id: string; path: string }[]>;
  /** Gives such articles the content read back from their files (rows that have content keep it). */
  fillArticleContent(entries: readonly [string, ArticleContent][]): Promise<void>;
  /** Stores fragments a publish encoded, each only if its article still has the content they were encoded from. */
  setItemFragments(entries: readonly FragmentsWrite[]): Promise<void>;
  countArticles(): Promise<number>;
  dirtyFeeds(): Promise<string[]>;
  ledger(): Promise<Map<string, LedgerEntry>>;
  commitPublish(c: PublishCommit): Promise<void>;

  /** The full-text entries stored for these links, by link. */
  fullTextEntries(links: readonly string[]): Promise<Map<string, FullTextEntry>>;
  /** Stores these full-text entries, each replacing the one of its link. */
  saveFullText(entries: readonly FullTextEntry[]): Promise<void>;
  /** Removes the full-text entries last attempted before `before` whose link no stored article has (retention pruned it); returns how many. */
  pruneFullText(before: number): Promise<number>;

  /** Puts back articles read from their files, as written (for rebuilding a lost store); an id already stored is left as it is. */
  restoreArticles(articles: readonly RestoredArticle[]): Promise<number>;

  /** The run lock `once`, `fetch`, `publish` and `run` hold: waits up to `waitMs` for it, calling `onWait` with the holder when it starts waiting. */
  acquireRunLock(opts: RunLockRequest): Promise<RunLock>;
}

/**
 * A channel's recorded rules fingerprint (ChannelState.rules) that no
 * fingerprint equals: its owned articles are judged again by the next
 * reapply. Given to a channel with rules when articles pass to it from a
 * removed channel (they were judged by their former owner's rules).
 */
export const RULES_TO_JUDGE = '?';

/** A channel key's [group, source, channel] slugs. */
export function slugsOf(key: string): [string, string, string] {
  return key.split('/') as [string, string, string];
}

/** The channel status a commit of its items amounts to. */
export function commitStatus(r: CommitResult): 'new' | 'updated' | 'unchanged' {
  return r.newItems ? 'new' : r.updatedItems ? 'updated' : 'unchanged';
}

/** The feed keys an entry of a channel with these slugs is in: merged (''), group, source, channel. */
export function feedKeysOf(slugs: readonly [string, string, string]): string[] {
  const [g, s, c] = slugs;
  return ['', g, `${g}/${s}`, `${g}/${s}/${c}`];
}

/**
 * A new article's id: from its link when it has one, so the same article
 * first seen through either of two channels gets the same id (and file
 * name); otherwise from the channel's stable id and the item's key. `n`
 * numbers the variants tried when an id is taken (a link that moved to
 * another item since): an id never names two articles.
 */
export function articleIdFor(channelId: number, itemKey: string, link: string | undefined, n = 1): string {
  const base = link ? `link\n${link}` : `channel ${channelId}\n${itemKey}`;
  return createHash('sha1').update(n > 1 ? `${base}\n${n}` : base).digest('hex');
}

/** Path of an article file relative to the output folder: in its owner's folder, named by its id. */
export function articlePath(slugs: readonly [string, string, string] | readonly string[], id: string): string {
  return `articles/${slugs[0]}/${slugs[1]}/${id.slice(0, 20)}.md`;
}
