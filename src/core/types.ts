// Types shared across pipeline stages: config → fetch → normalize → store →
// publish → serve. Each stage's own internals stay in its folder; only what
// crosses a stage boundary lives here.

/** A named level of the category tree with its URL-safe slug. */
export interface Named {
  name: string;
  slug: string;
}

/** Settings every level (defaults, group, source, channel) may set; resolved per channel. */
export interface ChannelSettings {
  /** node-cron expression. */
  schedule: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  headers: Record<string, string>;
  /** RE2 sources, case-insensitive: aliases of `keep any` / `block any` that override per level (not accumulated like `rules`). */
  include: string[];
  exclude: string[];
  /** Keep/block rules: defaults' first, then the group's, the source's and the channel's (levels accumulate). */
  rules: Rule[];
  /** Items older than this are dropped; undefined keeps all. */
  maxAgeMs?: number;
  /** Max items per published feed at this level, and per fetched channel pass. */
  limit: number;
  enabled: boolean;
  /** `source`: front-matter author is the source name (as in the reference article); `item`: the item's own author when it has one. */
  author: 'source' | 'item';
  /** Let sanitized bodies keep iframes (e.g. video embeds) from these hosts. Empty: no iframes. */
  allowIframeHosts: string[];
  /** Fetch from (and follow redirects to) loopback, private and link-local addresses: off by default. */
  allowPrivate: boolean;
  /**
   * Full text: each new item's body is its page's article, extracted by
   * readability (true) or as the element a CSS selector names (the string).
   * Absent: the feed's own content.
   */
  fullText?: true | string;
  /** What `retention` set (absent: the defaults, see retentionOf in ingest). */
  retention?: { items?: number; ageMs?: number };
  /** `rewrite:` of every level, defaults' first: applied in order to each article at ingest (absent: none). */
  rewrite?: RewriteRule[];
  /** Drop tracking pixels (1×1 images, known tracker hosts) from bodies; absent: true. */
  trackingPixels?: boolean;
  /** The channel feed's image (`image:`), over the source feed's own. */
  image?: string;
  /** The headimg template for this channel's articles without an image, over site.fallback_image; '' for none (`none`). */
  fallbackImage?: string;
}

export type RuleAction = 'keep' | 'block';
/** What a rule tests: a text field of the item (an RE2 pattern) or its date (before/after an instant). */
export type RuleField = 'title' | 'link' | 'author' | 'tag' | 'content' | 'any' | 'before' | 'after';

/** One `"<action> <field>": <value>` rule of the config, resolved. */
export interface Rule {
  action: RuleAction;
  field: RuleField;
  /** The value as written: an RE2 pattern, or for before/after a date. */
  value: string;
  /** before/after: the instant, epoch ms. */
  at?: number;
}

/**
 * One rewrite of an article, as `rewrite:` lists them: a pattern (RE2 syntax)
 * replaced in the title or in the body's text, elements removed from the
 * body by CSS selector, text put before or after the title.
 */
export type RewriteRule =
  | { kind: 'replace'; field: 'title' | 'content'; pattern: string; with: string }
  | { kind: 'remove'; selector: string }
  | { kind: 'prefix' | 'suffix'; text: string };

export interface ResolvedChannel {
  /** Stable identity: `<group-slug>/<source-slug>/<channel-slug>`. */
  key: string;
  url: string;
  group: Named;
  source: Named;
  channel: Named;
  settings: ChannelSettings;
  /** Where it is in the config file, e.g. `groups[0].sources[1].channels[0]`. */
  configPath: string;
}

export interface ResolvedSource extends Named {
  settings: ChannelSettings;
  channels: ResolvedChannel[];
}

export interface ResolvedGroup extends Named {
  settings: ChannelSettings;
  sources: ResolvedSource[];
}

export interface SiteConfig {
  title: string;
  description: string;
  /** Public base URL of the published feeds; always ends with `/`. */
  url: string;
  /** The feeds' language tag; '' when not set (no language is claimed). */
  language: string;
  /** Absolute path of the output folder (articles and feeds). */
  output: string;
  /** Where the state is kept: the absolute path of a SQLite file, or a postgres:// URL ($REFEED_STATE wins over the file). */
  state: string;
  /** The work queue's redis:// or rediss:// URL, when refeed runs as several processes ($REFEED_QUEUE wins over the file). */
  queue?: string;
  /** Items in the merged feed. */
  limit: number;
  /** Fallback `headimg` template; `{n}` is replaced by a number derived from the item. */
  fallbackImage: string;
  /** Global bound on concurrent fetches. */
  concurrency: number;
  /** Bound on concurrent fetches to one host. */
  perHostConcurrency: number;
  host: string;
  port: number;
  /** How long once/fetch/publish wait for another run's lock before giving up (exit 0). */
  lockWaitMs: number;
  /** The feeds' image URL (site.icon). */
  icon?: string;
  /** WebSub hubs the feeds name and are pinged after a publish that changed them (site.websub.hubs). */
  websubHubs: string[];
  /** Subscribe at the WebSub hubs sources name (site.websub.subscribe); callbacks under `url`. */
  websubSubscribe: boolean;
}

export interface RefeedConfig {
  /** Absolute path of the file loaded. */
  file: string;
  site: SiteConfig;
  defaults: ChannelSettings;
  groups: ResolvedGroup[];
  /** Every channel, enabled or not, in config order. */
  channels: ResolvedChannel[];
  /** What loading noticed that is not an error (a slug collision resolved, a name that gave only a hash), each where it is in the file. */
  warnings: ConfigNote[];
  /** Names whose stored channels keep the slug an older refeed gave them (see resolve.ts). */
  keptSlugs: KeptSlug[];
  /** Some name without an explicit slug gets another slug than refeed 0.1 gave it (only then can a stored one need keeping). */
  slugsDifferFromLegacy: boolean;
}

/** A remark about the configuration file at a path (`groups[0].name`) and line. */
export interface ConfigNote {
  path: string;
  line?: number;
  message: string;
}

/** A name whose stored channels use the slug refeed 0.1 gave it: kept, so its feed URLs do not move. */
export interface KeptSlug {
  path: string;
  line?: number;
  name: string;
  /** The slug kept. */
  slug: string;
  /** What the name gives now: what `slug:` would switch it to. */
  readable: string;
}

// ---------------------------------------------------------------- fetch

/** One item as read from a source feed, format-independent, before any cleaning. */
export interface RawItem {
  guid?: string;
  /** RSS <guid isPermaLink="…">: false when the guid is not the item's URL. Set only when the feed gives the attribute. */
  guidIsPermaLink?: boolean;
  link?: string;
  title?: string;
  author?: string;
  /** The date string as the feed wrote it (pubDate, published, updated, dc:date, date_published…). */
  date?: string;
  /** When the feed dates a last change apart from `date` (Atom updated, JSON Feed date_modified), as written. */
  updated?: string;
  /** Fullest HTML: content:encoded, then content, then description/summary. */
  html?: string;
  /** Short text/HTML summary when the feed gives one separately. */
  summary?: string;
  /** xml:base in effect for this item, if any. */
  base?: string;
  /** `length` in bytes and `duration` in seconds, each only when the feed gives a usable one. */
  enclosures: { url: string; type?: string; length?: number; duration?: number }[];
  /** media:thumbnail / media:content images / JSON Feed image. */
  images: string[];
  categories: string[];
}

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

export interface ParsedFeed {
  format: FeedFormat;
  title?: string;
  link?: string;
  /** Feed-level xml:base, if any. */
  base?: string;
  /** WebSub hubs the feed names (rel="hub"), absolute. */
  hubs?: string[];
  /** The feed's own URL as it names it (rel="self", JSON Feed feed_url): the WebSub topic. */
  self?: string;
  /** The feed's own image (RSS <image><url>, itunes:image, Atom <icon>/<logo>, JSON Feed icon/favicon), absolute http(s). */
  image?: string;
  items: RawItem[];
  /**
   * What the reader repaired to read a broken document (a truncated feed, a
   * mis-nested or misspelt end tag…), one human sentence per repair with its
   * line. Absent when the document was well-formed. A warning, not an error:
   * every complete item was kept.
   */
  recovered?: string[];
}

export interface FetchMeta {
  /** URL finally answered, after redirects. */
  finalUrl: string;
  /** Set when the source moved permanently (301/308) — the new URL to store. */
  permanentRedirect?: string;
  etag?: string;
  lastModified?: string;
  status: number;
}

export type FetchOutcome =
  | (FetchMeta & { kind: 'not-modified' })
  | (FetchMeta & { kind: 'ok'; feed: ParsedFeed; charset: string; bytes: number })
  | { kind: 'error'; error: FetchError };

export type FetchErrorCode =
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'redirect-loop'
  | 'bad-redirect'
  | 'http-status'
  | 'gone'
  | 'rate-limited'
  | 'network'
  | 'dns'
  | 'not-a-feed'
  /** A page fetched for its full text answered with something else than HTML (an image, JSON…). */
  | 'not-html'
  | 'parse'
  | 'empty'
  | 'decode'
  /** The URL, or a redirect, leads to a loopback, private or link-local address (see allow_private). */
  | 'blocked'
  /** The disk refused a write (full, over quota, read-only, no permission): "no space left on device writing <path>". */
  | 'disk'
  /** A bug in refeed, not the source's fault: reported on the channel so the run goes on. */
  | 'internal';

export interface FetchError {
  code: FetchErrorCode;
  message: string;
  status?: number;
  /** Seconds the server asked us to wait (429/503 Retry-After). */
  retryAfterSec?: number;
  /** For `not-a-feed`: feeds the HTML page advertises with <link rel="alternate">. */
  alternates?: string[];
}

// ---------------------------------------------------------------- normalize

/** A media file an article carries (a podcast's audio, a video): what RSS, Atom and JSON Feed enclosures say. */
export interface Enclosure {
  /** Absolute http(s) URL. */
  url: string;
  /** Media type, e.g. `audio/mpeg`. */
  type?: string;
  /** Size in bytes. */
  length?: number;
  /** Playing time in whole seconds. */
  duration?: number;
}

/**
 * What an article says: the one model its `.md` file and its RSS, Atom and
 * JSON Feed entries are projections of (the file reads back into it).
 */
export interface ArticleContent {
  title: string;
  link?: string;
  guid?: string;
  /** The source's RSS guid isPermaLink, only when the source said. */
  guidIsPermaLink?: boolean;
  author: string;
  /** The item's own author (its name), when `author` says something else (the source's name): what author rules test. */
  itemAuthor?: string;
  date: Date;
  /** When the source says the item last changed, if it says so and that is after `date`. */
  updated?: Date;
  /** [group, source, channel] display names. */
  categories: string[];
  headimg: string;
  /** The source's own short summary, plain text on one line, when it gives one apart from the body. */
  summary?: string;
  /** Sanitized body HTML, without the outer <div>. */
  html: string;
  /** The item's own categories/tags, cleaned (one line, bounded), distinct. */
  tags: string[];
  enclosures: Enclosure[];
}

/** A normalized article: its content, where it belongs, and its key within its channel. */
export interface Article extends ArticleContent {
  /** Its key within its channel: guid, else link, else hash of title+date. */
  itemKey: string;
  channelKey: string;
  /** [group, source, channel] display names. */
  categories: [string, string, string];
  /** [group, source, channel] slugs. */
  slugs: [string, string, string];
  /** Hash of what is written (front matter + body): changes iff the file must change. */
  contentHash: string;
  /** What the article was before its channel's rewrites: kept, so that changed rewrites are applied again to it. */
  original?: ArticleOriginal;
}

/** An article before its channel's rewrites: the sanitized title and body, and the item's image from outside its body. */
export interface ArticleOriginal {
  title: string;
  html: string;
  /** An image enclosure's or media:thumbnail's URL: the head image when the body has none. */
  image?: string;
}

/** What the sanitizer/normalizer dropped or noticed, for `preview` and logs. */
export interface NormalizeWarning {
  code: 'no-title' | 'no-link' | 'no-date' | 'future-date' | 'bad-date' | 'no-image' | 'sanitized';
  detail?: string;
}

// ---------------------------------------------------------------- store

export type ChannelStatus = 'new' | 'updated' | 'unchanged' | 'not-modified' | 'error' | 'disabled';

export interface ChannelState {
  key: string;
  /** Stable identity: survives renames and URL changes (see the store's channel sync). */
  id: number;
  /** When the channel was first configured (epoch ms): an empty feed's date. */
  createdAt: number;
  url: string;
  etag?: string;
  lastModified?: string;
  lastFetchAt?: number;
  lastSuccessAt?: number;
  lastStatus?: ChannelStatus;
  lastError?: string;
  /** The last successful fetch's warning (`recovered: …`), if it had one. */
  lastWarning?: string;
  consecutiveFailures: number;
  nextRunAt?: number;
  disabled: boolean;
  itemCount: number;
  /** What the source feed said of itself at its last full fetch (absent until then). */
  meta?: ChannelMeta;
  /** The fingerprint of the rewrites its stored articles were last brought to ('' : none but the defaults). */
  rewrites?: string;
  /** The fingerprint of the keep/block rules (and rewrites) its articles' files were last judged under ('' : no rules, none hidden). */
  rules?: string;
}

/**
 * What a channel's source feed says of itself, as its last full fetch read
 * it: its image (a channel feed's image) and its WebSub hubs and topic (so
 * `run` subscribes even when queue workers do the fetching).
 */
export interface ChannelMeta {
  image?: string;
  hubs?: string[];
  /** The WebSub topic: the feed's self URL (Link header first), else the URL fetched. */
  self?: string;
}

/** One stored article row, enough to order and locate it without reading the file. */
export interface StoredArticle {
  itemKey: string;
  channelKey: string;
  slugs: [string, string, string];
  title: string;
  link?: string;
  date: number;
  firstSeen: number;
  contentHash: string;
  /** Path relative to the output folder, e.g. `articles/g/s/ab12….md`. */
  path: string;
}

/** A feed's newest entry as index.html lists it (from the index: no article file is read). */
export interface LatestEntry {
  title: string;
  link?: string;
  /** Epoch ms. */
  date: number;
  /** The key of the channel through which it is in the feed (absent in ledgers from before it was kept). */
  channel?: string;
}

// ---------------------------------------------------------------- serve

/** How the daemon's publishing fares, as /healthz reports it. */
export interface PublishHealth {
  status: 'ok' | 'error';
  /** ISO 8601 UTC: the last publish that wrote everything it had to. */
  lastSuccessAt?: string;
  lastError?: string;
}

/** What `GET /healthz` reports; built by whoever owns channel state (schedule/cli), served by serve. */
export interface HealthReport {
  /** error: the daemon cannot go on as it is (its state file was lost under it); /healthz answers 503 with `error`. */
  status: 'ok' | 'degraded' | 'error';
  /** Why, with status error. */
  error?: string;
  /** The daemon's publishing: `error` while its last publish failed (a full disk: `disk: no space left on device writing …`). */
  publish?: PublishHealth;
  /**
   * `refeed run`: the configuration file's last reload was rejected (when, how many problems: the log says
   * which), and the previous configuration keeps running. Not a failure of the daemon: status is unchanged.
   */
  configReload?: { status: 'rejected'; at: string; problems: number };
  channels: Array<{
    key: string;
    status: string;
    /** ISO 8601 UTC, as every date refeed prints as data. */
    lastSuccessAt?: string;
    lastError?: string;
    consecutiveFailures: number;
    disabled: boolean;
  }>;
}
