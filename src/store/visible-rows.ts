import type { ArticleContent, RefeedConfig } from '../core/types.ts';
import { compileRules, type ItemRules, type RuleSubject } from '../normalize/rules.ts';
import { htmlToText } from '../normalize/text.ts';
import { rowsHash } from './rows-hash.ts';
import type { ArticleRecord, Store } from './types.ts';

/** The newest `want` rows of a feed key, each article once. */
export type TopRows = (key: string, want: number) => Promise<ArticleRecord[]>;

// Over the Store interface (no engine): the publisher and the pruner read it.
// Rules apply to what is published, not only to what is fetched next: a feed
// is its newest `limit` stored rows that pass the rules of the channel each
// row is listed through (stored rows beyond the old cut fill in). Feeds whose
// channels have no rules read the store as they always did, at no extra cost.

/** Articles whose content one query reads, for rules on author, tags or the body. */
const CONTENT_BATCH = 256;
/** Verdicts a long-lived publisher remembers (by article, channel and content): beyond it, it starts over. */
const MAX_REMEMBERED = 200_000;

/** Each configured channel's rules, for the channels that have any. */
export function channelRules(config: RefeedConfig): Map<string, ItemRules> {
  const out = new Map<string, ItemRules>();
  for (const c of config.channels) {
    const rules = compileRules(c.settings);
    if (!rules.empty) out.set(c.key, rules);
  }
  return out;
}

/** What a publish (and the pruner, which keeps what feeds show) reads feeds' rows through. */
export interface VisibleRows {
  /** The newest `want` rows of a feed that its channels' rules keep. */
  top: TopRows;
  /** The hash of the store's own newest `limit` rows (what it compares to clear a dirty flag), when the feed has rules; else undefined (its rows' hash is that). */
  storeHash(key: string, limit: number): Promise<string | undefined>;
  /** Whether the feed must be checked at every publish, dirty or not: a channel's max_age hides rows as time passes. */
  timeBound(key: string): boolean;
}

/** Verdicts kept across publishes (a daemon's): a stored row's verdict changes only with its content, which is part of the key. */
export type VerdictMemory = Map<string, boolean>;

export function visibleRows(
  rules: ReadonlyMap<string, ItemRules>,
  /** Each feed's key and the channels it holds. */
  specs: readonly { key: string; channelKeys: readonly string[] }[],
  deps: { store: Store; raw: TopRows; now: number; memory?: VerdictMemory },
): VisibleRows {
  const { store, raw, now } = deps;
  const memory: VerdictMemory = deps.memory ?? new Map();
  const ruled = new Set<string>();
  const aging = new Set<string>();
  for (const spec of specs) {
    const mine = spec.channelKeys.filter((k) => rules.has(k));
    if (mine.length) ruled.add(spec.key);
    if (mine.some((k) => rules.get(k)!.maxAgeMs !== undefined)) aging.add(spec.key);
  }

  /** The rules' verdicts on these rows (max_age apart), reading content only for rows that need it and have none remembered. */
  async function verdicts(rows: readonly ArticleRecord[]): Promise<boolean[]> {
    const keyOf = (r: ArticleRecord) => `${r.id}\n${r.channelKey}\n${r.contentHash}`;
    // Cleared before these rows are judged, never between: every row asked about has its verdict below.
    if (memory.size + rows.length > MAX_REMEMBERED) memory.clear();
    const todo = rows.filter((r) => rules.has(r.channelKey) && !memory.has(keyOf(r)));
    const needContent = todo.filter((r) => rules.get(r.channelKey)!.needsContent);
    const contents = new Map<string, ArticleContent>();
    const ids = [...new Set(needContent.map((r) => r.id))];
    for (let i = 0; i < ids.length; i += CONTENT_BATCH) for (const [id, c] of await store.articleContent(ids.slice(i, i + CONTENT_BATCH))) contents.set(id, c);
    for (const r of todo) {
      const c = contents.get(r.id);
      const subject: RuleSubject = {
        title: r.title,
        link: r.link ?? '',
        date: r.date,
        // The item's own author, as the ingest's rules saw it (rows stored before it was kept: the author the article shows).
        ...(c ? { author: c.itemAuthor ?? c.author, tags: c.tags, text: () => htmlToText(c.html) } : {}),
      };
      memory.set(keyOf(r), rules.get(r.channelKey)!.judge(subject).kept);
    }
    return rows.map((r) => {
      const rule = rules.get(r.channelKey);
      if (!rule) return true;
      if (!memory.get(keyOf(r))) return false;
      return rule.maxAgeMs === undefined || now - r.date <= rule.maxAgeMs;
    });
  }

  /** The store's own newest rows of a ruled feed, by key and count, as `top` read them first: storeHash needs no query of its own. */
  const firstRead = new Map<string, ArticleRecord[]>();
  const top: TopRows = async (key, want) => {
    if (!ruled.has(key)) return raw(key, want);
    // Read deeper until `want` rows pass or the store has no more: what the rules hide makes room for older rows.
    for (let n = Math.max(want, 1); ; n *= 2) {
      const rows = await raw(key, n);
      if (n === want) firstRead.set(`${key}\n${n}`, rows);
      const pass = await verdicts(rows);
      const kept = rows.filter((_, i) => pass[i]);
      if (kept.length >= want || rows.length < n) return kept.slice(0, want);
    }
  };
  return {
    top,
    storeHash: async (key, limit) => (ruled.has(key) ? rowsHash(firstRead.get(`${key}\n${limit}`) ?? (await raw(key, limit))) : undefined),
    timeBound: (key) => aging.has(key),
  };
}
