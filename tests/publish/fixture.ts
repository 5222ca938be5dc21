import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import type { Article, RefeedConfig } from '../../src/core/types.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import type { FeedSpec } from '../../src/publish/index.ts';
import { makeArticle, storeArticle } from '../helpers/articles.ts';
import { syncChannels } from '../../src/ingest/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { parseArticle } from '../../src/normalize/index.ts';

// A small store: 2 groups, 3 sources, 4 channels, with per-level limits and
// titles that trip naive feed writers (CJK, &, <, quotes, emoji).

export const CONFIG_YAML = `
site:
  title: refeed
  description: Test feeds
  url: https://feeds.example/sub/
  language: zh-CN
  output: out
  state: state.db
  limit: 6
groups:
  - name: Tech
    sources:
      - name: Hacker News
        slug: hn
        channels:
          - name: Front page
            url: https://hn.example/front
          - name: Best
            url: https://hn.example/best
            limit: 2
      - name: LWN.net
        slug: lwn
        channels:
          - name: Headlines
            url: https://lwn.example/rss
  - name: 新媒体
    slug: xinmeiti
    limit: 3
    sources:
      - name: 人人都是产品经理
        slug: woshipm
        channels:
          - name: 最新文章
            slug: latest
            url: https://woshipm.example/feed
`;

export const KEYS = { front: 'tech/hn/front-page', best: 'tech/hn/best', lwn: 'tech/lwn/headlines', woshipm: 'xinmeiti/woshipm/latest' };

const TITLES = [
  'Rust & "async" <traits> in 2024',
  '产业互联网需要被正名',
  "Tom's <b>bold</b> claim: AT&amp;T",
  'Emoji 🎉 and 中文 — mixed',
  'Plain headline',
];

export interface Fixture {
  dir: string;
  file: string;
  config: RefeedConfig;
  state: SqliteStore;
  output: string;
  articles: Article[];
}

export function writeConfig(dir: string, yaml: string): RefeedConfig {
  const file = path.join(dir, 'refeed.yaml');
  writeFileSync(file, yaml);
  return loadConfig(file);
}

/** Each fixture article's row id, as the store assigned it. */
const ids = new WeakMap<Article, string>();
export const idOf = (a: Article): string => ids.get(a)!;

/** A fresh temp folder with the config and a seeded store (5 articles per channel), as ingest leaves it. */
export async function setup(yaml = CONFIG_YAML): Promise<Fixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-publish-'));
  const config = writeConfig(dir, yaml);
  const state = new SqliteStore(config.site.state);
  await syncChannels(config, state, Date.UTC(2024, 0, 1), silentLogger);
  const articles: Article[] = [];
  for (const [ci, channel] of config.channels.entries()) {
    for (const [n, base] of TITLES.entries()) {
      // Interleaved dates across channels, with one exact tie between two channels.
      const date = new Date(Date.UTC(2024, 2, 10 - n, 12, ci === 1 && n === 0 ? 0 : ci * 7, 0));
      const slug = channel.channel.slug;
      const link = n === 4 && ci === 0 ? undefined : `https://${slug}.example/posts/${n}?a=1&b=2`;
      const guid = n === 2 ? `post-${slug}-${n}` : n === 4 && ci === 0 ? `orphan-${n}` : undefined;
      const a = makeArticle(channel, { title: `${base} [${slug} #${n}]`, date, link, guid, headimg: n === 1 ? `https://img.example/${slug}/${n}.png` : undefined });
      ids.set(a, (await storeArticle(config, state, a)).id);
      articles.push(a);
    }
  }
  return { dir, file: path.join(dir, 'refeed.yaml'), config, state, output: config.site.output, articles };
}

/** The articles a feed should hold, in the order it should hold them (date desc, then row id). */
export function expectedItems(spec: FeedSpec, articles: readonly Article[]): Article[] {
  const keys = new Set(spec.channelKeys);
  return articles
    .filter((a) => keys.has(a.channelKey))
    .map((a) => ({ a, id: idOf(a) }))
    .sort((x, y) => y.a.date.getTime() - x.a.date.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
    .slice(0, spec.limit)
    .map((x) => x.a);
}

export interface FileState {
  bytes: string;
  mtimeMs: number;
}

/** Every published file (not the article files) under the output folder, by relative path. */
export function snapshot(output: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(output, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (r !== 'articles') walk(r);
      } else {
        const f = path.join(output, r);
        out.set(r, { bytes: readFileSync(f, 'latin1'), mtimeMs: statSync(f).mtimeMs });
      }
    }
  };
  walk('');
  return out;
}

/** Paths whose bytes or mtime differ between two snapshots (or exist in only one). */
export function changedFiles(before: Map<string, FileState>, after: Map<string, FileState>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k)?.bytes !== after.get(k)?.bytes || before.get(k)?.mtimeMs !== after.get(k)?.mtimeMs).sort();
}

/**
 * A `setup` for tests: every fixture it makes is closed and deleted after
 * each test. Call at a test file's top level.
 */
export function fixtureFactory(): (yaml?: string) => Promise<Fixture> {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) {
      await f.state.close();
      rmSync(f.dir, { recursive: true, force: true });
    }
  });
  return async (yaml) => {
    const f = await setup(yaml);
    fixtures.push(f);
    return f;
  };
}

/**
 * Indexes an article file written by hand under `channelKey`, as its one
 * listing, with the content the file holds (as `refeed reindex` reads it back:
 * publishing reads the store, never the file).
 */
export function indexHandWritten(f: Fixture, a: { path: string; channelKey: string; itemKey: string; title: string }): void {
  const channelId = (f.state.db.prepare('SELECT id FROM channels WHERE key = ?').get(a.channelKey) as { id: number }).id;
  const [g, s, c] = a.channelKey.split('/');
  const content = parseArticle(readFileSync(path.join(f.output, a.path), 'utf8'));
  const date = content.date.getTime();
  f.state.db
    .prepare(
      `INSERT INTO articles (id, identity, owner_id, title, link, date, first_seen, content_hash, file_hash, path, author, headimg, guid, categories, html)
       VALUES (?, ?, ?, ?, ?, ?, 0, 'hand', 'hand', ?, ?, ?, ?, ?, ?)`,
    )
    .run(a.itemKey, a.itemKey, channelId, a.title, content.link ?? null, date, a.path, content.author, content.headimg, content.guid ?? null, JSON.stringify(content.categories), content.html);
  f.state.db
    .prepare(`INSERT INTO entries (channel_id, item_key, article_id, first_seen, date, g, s, c) VALUES (?, ?, ?, 0, ?, ?, ?, ?)`)
    .run(channelId, a.itemKey, a.itemKey, date, g, s, c);
}
