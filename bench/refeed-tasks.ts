import { createHash } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Article, RefeedConfig, ResolvedChannel } from '../src/core/types.ts';
import type { PublishReport } from '../src/publish/index.ts';
import type { Store } from '../src/store/index.ts';
import { AtomicWriter, createArticleRenderer, createFetchAgents, ingestChannel, loadConfig, openStore, PreparePool, publish, Publisher, FRAGMENT_ENCODER, runFetch, silentLogger, syncChannels } from './refeed.ts';
import { storeArticles } from './store-articles.ts';
import { syntheticItem, type SyntheticItem } from './corpus.ts';
import { walkFiles } from './files.ts';
import type { Task, TaskResult } from './tasks.ts';

// The refeed side of the measurements. Only the pipeline's public entry
// points are called (runFetch, publish), as `refeed once` / `refeed publish`
// do, with logs silenced.

const logger = silentLogger;
const isArticle = (rel: string) => rel === 'articles' || rel.startsWith('articles/');

/** Identity of every published file (not articles): a rewrite (rename over it) changes inode or mtime. */
function snapshotFeeds(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of walkFiles(output, isArticle)) {
    const st = statSync(path.join(output, rel));
    out.set(rel, `${st.ino}:${st.mtimeMs}:${st.size}`);
  }
  return out;
}

function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([rel, sig]) => before.get(rel) !== sig).map(([rel]) => rel).sort();
}

function bytesOf(output: string, files: readonly string[]): number {
  let n = 0;
  for (const rel of files) {
    try {
      n += statSync(path.join(output, rel)).size;
    } catch {
      // gone already: not counted
    }
  }
  return n;
}

function publishDetail(r: PublishReport): Record<string, unknown> {
  return {
    feeds: r.feeds,
    rebuilt: r.rebuilt.length,
    rebuiltKeys: r.rebuilt,
    written: r.written.length,
    unchanged: r.unchanged.length,
    skipped: r.skipped.length,
    errors: r.errors.length,
    articlesUsed: r.articlesUsed,
    articlesEncoded: r.articlesEncoded,
  };
}

async function withStore<T>(config: RefeedConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.site.state);
  try {
    await syncChannels(config, store, Date.now(), logger);
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The corpus index of a configured channel (its slug is `c<index>`, see corpus.channelSpec). */
function corpusIndexOf(channel: ResolvedChannel): number {
  return Number(channel.channel.slug.slice(1));
}

// The bench writes articles of many channels from one task; one renderer serves
// them all (its memory of names is bounded).
const renderer = createArticleRenderer();

/**
 * An article as ingest would store this synthetic item, and its file text.
 * The body is generated clean, so it is used as is (no sanitizer pass); the
 * hash is computed as normalize does (over the file rendered with an empty hash).
 */
export function articleFor(channel: ResolvedChannel, item: SyntheticItem, date: Date): { article: Article; text: string } {
  const article: Article = {
    itemKey: item.guid,
    channelKey: channel.key,
    categories: [channel.group.name, channel.source.name, channel.channel.name],
    slugs: [channel.group.slug, channel.source.slug, channel.channel.slug],
    title: item.title,
    link: item.link,
    guid: item.guid,
    author: channel.source.name,
    date: new Date(Math.floor(date.getTime() / 1000) * 1000),
    headimg: item.image,
    html: item.html,
    tags: [],
    enclosures: [],
    contentHash: '',
  };
  const text = renderer.render(article);
  article.contentHash = createHash('sha1').update(text).digest('hex');
  return { article, text };
}

async function cycle(task: Extract<Task, { kind: 'cycle' }>): Promise<TaskResult> {
  // A long-running process parsed its configuration at start (and on SIGHUP), not per cycle.
  let loaded: RefeedConfig | undefined;
  if (task.warmUpWithout) {
    const config = (loaded = loadConfig(task.configFile));
    const others = { ...config, channels: config.channels.filter((c) => c.key !== task.warmUpWithout) };
    await withStore(config, async (store) => {
      await runFetch(others, store, { logger, fragmentEncoder: FRAGMENT_ENCODER });
      await publish(config, store, { logger });
    });
  }
  const t0 = performance.now();
  const config = loaded ?? loadConfig(task.configFile);
  const configMs = performance.now() - t0;
  const output = config.site.output;
  const before = task.checkFeeds ? snapshotFeeds(output) : undefined;

  const t1 = performance.now();
  const store = await openStore(config.site.state);
  let reports, published, fetchMs, publishMs;
  try {
    const t2 = performance.now();
    // As `refeed once` runs it: items' feed fragments encoded where their bodies are.
    reports = await runFetch(config, store, { logger, fragmentEncoder: FRAGMENT_ENCODER });
    const t3 = performance.now();
    published = await publish(config, store, { logger });
    fetchMs = t3 - t2;
    publishMs = performance.now() - t3;
  } finally {
    await store.close();
  }
  const ms = configMs + performance.now() - t1;

  const statuses: Record<string, number> = {};
  for (const r of reports) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const newItems = reports.reduce((n, r) => n + r.newItems, 0);
  const updatedItems = reports.reduce((n, r) => n + r.updatedItems, 0);
  const errors = reports.filter((r) => r.error).slice(0, 5).map((r) => `${r.key}: ${r.error!.code} ${r.error!.message}`);
  return {
    ms,
    items: newItems + updatedItems,
    detail: {
      configMs,
      fetchMs,
      publishMs,
      channels: reports.length,
      statuses,
      newItems,
      updatedItems,
      errors,
      ...publishDetail(published),
      rebuilt: published.rebuilt,
      changedFeedFiles: before ? changedFiles(before, snapshotFeeds(output)) : [],
    },
  };
}

async function tick(task: Extract<Task, { kind: 'tick' }>): Promise<TaskResult> {
  // What `refeed run` has done before this tick: config loaded once, every channel fetched (304s), feeds published.
  const config = loadConfig(task.configFile);
  const store = await openStore(config.site.state);
  try {
    await syncChannels(config, store, Date.now(), logger);
    // As `refeed run` makes its publisher.
    const publisher = new Publisher(config, { longLived: true });
    const files = new AtomicWriter();
    const agents = createFetchAgents();
    const pool = new PreparePool({ inlineBytes: 0, size: 1 });
    // As the daemon's scheduler does at start.
    pool.warm();
    try {
      const others = { ...config, channels: config.channels.filter((c) => c.key !== task.channel) };
      await runFetch(others, store, { logger, files, agents, pool });
      await publisher.publish(store, { logger });
      const channel = config.channels.find((c) => c.key === task.channel);
      if (!channel) throw new Error(`no channel ${task.channel}`);
      const output = config.site.output;
      const before = snapshotFeeds(output);
      const t0 = performance.now();
      const report = await ingestChannel(config, store, channel, { logger, files, agents, pool, fragmentEncoder: FRAGMENT_ENCODER });
      const published = await publisher.publish(store, { logger });
      const ms = performance.now() - t0;
      return {
        ms,
        items: report.newItems,
        detail: { newItems: report.newItems, ...publishDetail(published), rebuilt: published.rebuilt, changedFeedFiles: changedFiles(before, snapshotFeeds(output)) },
      };
    } finally {
      await pool.close();
      await agents.close();
    }
  } finally {
    await store.close();
  }
}

async function publishAlone(task: Extract<Task, { kind: 'publish' }>): Promise<TaskResult> {
  const setup = loadConfig(task.configFile);
  const output = setup.site.output;
  if (task.full) {
    // Every published file missing: all of the output folder but the articles.
    for (const rel of walkFiles(output, isArticle)) rmSync(path.join(output, rel), { force: true });
  }
  if (task.insert) {
    const ins = task.insert;
    const channel = setup.channels.find((c) => corpusIndexOf(c) === ins.channel);
    if (!channel) throw new Error(`no channel c${ins.channel} in ${task.configFile}`);
    await withStore(setup, (store) => storeArticles(setup, store, channel, [articleFor(channel, syntheticItem(ins.seed, ins.channel, ins.item), new Date())], new AtomicWriter()));
  }

  const t0 = performance.now();
  const config = loadConfig(task.configFile);
  const report = await withStore(config, (store) => publish(config, store, { logger, full: task.full }));
  const ms = performance.now() - t0;
  return { ms, items: report.articlesUsed, bytes: bytesOf(output, report.written), detail: publishDetail(report) };
}

async function pad(task: Extract<Task, { kind: 'pad' }>): Promise<TaskResult> {
  const config = loadConfig(task.configFile);
  const t0 = performance.now();
  let added = 0;
  const files = new AtomicWriter();
  const articles = await withStore(config, async (store) => {
    const have = await store.countArticles();
    const perChannel = Math.ceil(Math.max(0, task.target - have) / config.channels.length);
    let missing = task.target - have;
    for (const channel of config.channels) {
      const i = corpusIndexOf(channel);
      // Archive items are numbered below the feed's (-1, -2…): older than anything the source still lists.
      const batch = [];
      for (let k = 1; k <= perChannel && missing > 0; k++, missing--, added++) {
        const item = syntheticItem(task.seed, i, -k);
        batch.push(articleFor(channel, item, item.date));
      }
      if (batch.length) await storeArticles(config, store, channel, batch, files);
    }
    return store.countArticles();
  });
  const padMs = performance.now() - t0;
  // Every feed is dirty now; one publish settles them (the archive is older than every feed's window, so nothing changes).
  const t1 = performance.now();
  const report = await withStore(config, (store) => publish(config, store, { logger }));
  const publishMs = performance.now() - t1;
  return { ms: padMs + publishMs, items: added, detail: { added, articles, padMs, publishMs, ...publishDetail(report) } };
}

export async function runRefeedTask(task: Exclude<Task, { kind: 'baseline' | 'parse' | 'cli' | 'full-text' }>): Promise<TaskResult> {
  if (task.kind === 'cycle') return cycle(task);
  if (task.kind === 'publish') return publishAlone(task);
  if (task.kind === 'tick') return tick(task);
  return pad(task);
}
