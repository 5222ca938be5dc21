// What rules cost the publisher on a large store (issue 21): a store of
// CHANNELS × PER_CHANNEL articles (100,000 by default), published in full
// with no rules, then with a title rule on a tenth of the channels, then with
// a content rule (which reads the stored bodies) on that tenth, then an
// incremental publish after one new article. Channels without rules must cost
// nothing extra: the same store queries as before, none of their content read.
//
//   npx tsx bench/rules-cost.ts [channels] [perChannel]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../src/config/index.ts';
import { silentLogger } from '../src/core/log.ts';
import type { RefeedConfig } from '../src/core/types.ts';
import { syncChannels } from '../src/ingest/index.ts';
import { Publisher } from '../src/publish/index.ts';
import { openStore, type ItemWrite, type Store } from '../src/store/index.ts';

const CHANNELS = Number(process.argv[2] ?? 1000);
const PER_CHANNEL = Number(process.argv[3] ?? 100);
const RULED_EVERY = 10;
const T = Date.UTC(2024, 5, 1);

function configYaml(dir: string, rules: 'none' | 'title' | 'content'): string {
  const groups = Array.from({ length: CHANNELS / 100 }, (_, g) => ({
    name: `G${g}`,
    sources: Array.from({ length: 10 }, (_, s) => ({
      name: `S${s}`,
      channels: Array.from({ length: 10 }, (_, c) => {
        const i = g * 100 + s * 10 + c;
        const ruled = rules !== 'none' && i % RULED_EVERY === 0;
        return {
          name: `C${c}`,
          url: `https://feeds.example/${i}.xml`,
          ...(ruled ? { rules: [rules === 'title' ? { 'block title': '(?i)^story [0-9]*7$' } : { 'block content': '(?i)\\bstory [0-9]*7,' }] } : {}),
        };
      }),
    })),
  }));
  return stringify({ site: { output: path.join(dir, 'out'), state: path.join(dir, 'state.db'), url: 'https://feeds.example/' }, groups });
}

function writes(channel: number, from: number, to: number): ItemWrite[] {
  const out: ItemWrite[] = [];
  for (let n = from; n < to; n++) {
    const date = T - (channel * 7 + n * 3_600_000);
    const html = Array.from({ length: 8 }, (_, p) => `<p>Channel ${channel}, story ${n}, paragraph ${p}: ${'lorem ipsum '.repeat(20)}</p>`).join('');
    out.push({
      itemKey: `c${channel}-${n}`,
      link: `https://site.example/${channel}/${n}`,
      firstSeen: date,
      article: {
        itemKey: `c${channel}-${n}`,
        title: `Story ${n}`,
        link: `https://site.example/${channel}/${n}`,
        author: 'someone',
        date,
        categories: ['G', 'S', 'C'],
        headimg: '',
        html,
        tags: ['news'],
        enclosures: [],
        contentHash: `h${channel}-${n}`,
      },
    });
  }
  return out;
}

/** Counts the store calls a publish makes, and the articles whose content it reads. */
function counting(store: Store): { store: Store; counts: Record<string, number> } {
  const counts: Record<string, number> = { topArticles: 0, articleContent: 0, contentRows: 0 };
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'topArticles') return (...a: Parameters<Store['topArticles']>) => (counts.topArticles++, target.topArticles(...a));
      if (prop === 'articleContent')
        return (ids: readonly string[]) => {
          counts.articleContent++;
          counts.contentRows += ids.length;
          return target.articleContent(ids);
        };
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store: proxy, counts };
}

async function timed(label: string, config: RefeedConfig, store: Store, full: boolean): Promise<void> {
  const c = counting(store);
  const started = performance.now();
  const r = await new Publisher(config).publish(c.store, { logger: silentLogger, full, now: () => T });
  const ms = performance.now() - started;
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  rebuilt ${String(r.rebuilt.length).padStart(5)}  topArticles ${c.counts.topArticles}  articleContent ${c.counts.articleContent} (${c.counts.contentRows} rows)`);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-rules-cost-'));
try {
  const load = (rules: 'none' | 'title' | 'content') => parseConfig(configYaml(dir, rules), path.join(dir, 'refeed.yaml'), {});
  const none = load('none');
  const store = (await openStore(none.site.state))!;
  await syncChannels(none, store, T, silentLogger);
  const t0 = performance.now();
  for (const [i, ch] of none.channels.entries()) await store.commitItems(ch.key, writes(i, 0, PER_CHANNEL), { now: T, status: 'new' });
  console.log(`store: ${await store.countArticles()} articles in ${none.channels.length} channels (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  await timed('full publish, no rules (fragments encoded and stored)', none, store, true);
  await timed('full publish, no rules', none, store, true);
  await timed('incremental publish, nothing changed, no rules', none, store, false);
  const title = load('title');
  await timed(`rules changed: title rule on 1 channel in ${RULED_EVERY}`, title, store, false);
  await timed(`full publish, title rule on 1 channel in ${RULED_EVERY}`, title, store, true);
  const content = load('content');
  await timed(`rules changed: content rule on 1 channel in ${RULED_EVERY}`, content, store, false);
  await timed(`full publish, content rule on 1 channel in ${RULED_EVERY}`, content, store, true);
  // Newer than every stored one (n = -1): it enters its channel's feeds.
  await store.commitItems(content.channels[1].key, writes(1, -1, 0), { now: T, status: 'new' });
  await timed('one new article in a channel without rules', content, store, false);
  await store.commitItems(content.channels[0].key, writes(0, -1, 0), { now: T, status: 'new' });
  await timed('one new article in a channel with a content rule', content, store, false);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
