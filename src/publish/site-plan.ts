import { createHash } from 'node:crypto';
import type { RefeedConfig } from '../core/types.ts';
import type { ItemRules } from '../normalize/rules.ts';
import { planFeeds, PUBLISH_FORMAT_VERSION, specHash, type FeedSpec } from './plan.ts';
import { channelRules } from '../store/visible-rows.ts';

/** What the configuration alone decides: the feeds, their spec hashes and the index files' hash. */
export interface SitePlan {
  config: RefeedConfig;
  specs: FeedSpec[];
  specHashes: string[];
  indexHash: string;
  /** The rules of the channels that have any (see store/visible-rows.ts). */
  rules: Map<string, ItemRules>;
  /** Build order rank of each feed key (see postOrder). */
  rank: Map<string, number>;
}

export function sitePlan(config: RefeedConfig): SitePlan {
  const specs = planFeeds(config);
  const { site } = config;
  const indexHash = createHash('sha256')
    .update(JSON.stringify({ v: PUBLISH_FORMAT_VERSION, site: [site.title, site.description, site.url, site.language], specs }))
    .digest('hex');
  const rules = channelRules(config);
  return { config, specs, specHashes: specs.map((spec) => withRules(specHash(site, spec), spec, rules)), indexHash, rules, rank: postOrder(specs) };
}

/**
 * Feed keys in post-order: every channel before its source, every source
 * before its group, groups before the merged feed. Built in this order, an
 * article's rendering is shared by all the feeds that carry it while only
 * the few that a higher feed still needs are kept in memory.
 */
function postOrder(specs: readonly FeedSpec[]): Map<string, number> {
  const children = new Map<string, string[]>();
  const keys = new Set(specs.map((s) => s.key));
  for (const { key } of specs) {
    if (key === '') continue;
    const parent = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : '';
    const list = children.get(parent) ?? [];
    list.push(key);
    children.set(parent, list);
  }
  const rank = new Map<string, number>();
  const visit = (key: string) => {
    for (const c of children.get(key) ?? []) visit(c);
    rank.set(key, rank.size);
  };
  if (keys.has('')) visit('');
  for (const key of keys) if (!rank.has(key)) rank.set(key, rank.size);
  return rank;
}

/** The spec hash of a feed with its channels' rules in it: a rule change rebuilds the feeds it touches, and only those. */
function withRules(hash: string, spec: FeedSpec, rules: ReadonlyMap<string, ItemRules>): string {
  const prints = spec.channelKeys.flatMap((k) => (rules.has(k) ? [[k, rules.get(k)!.fingerprint]] : []));
  return prints.length ? createHash('sha256').update(`${hash}\nrules ${JSON.stringify(prints)}`).digest('hex') : hash;
}
