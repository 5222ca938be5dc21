import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { TaskResult } from './tasks.ts';
import { createRng, hashSeed } from './prng.ts';

// Full text (issue 21): N article pages, each fetched from loopback and read
// for its article. `refeed` is what full_text does (the channel's fetch policy,
// two requests at a time per host, extraction and sanitizing on worker threads);
// `main-thread` is the naive way, the same fetches with readability (linkedom)
// run on the main thread and no sanitizing: the same-run reference.

export type FullTextWay = 'refeed' | 'main-thread';

export interface FullTextTask {
  kind: 'full-text';
  way: FullTextWay;
  urls: string[];
}

const WORDS = 'the council met on tuesday and voted after a long debate about budget to rebuild old bridge river town people said would cost more than'.split(' ');

/** A news page: navigation, scripts, an article of 8–30 paragraphs, a sidebar and a footer (20–60 KB). */
export function articlePage(i: number, seed: number): string {
  const rng = createRng(hashSeed(seed, 'page', i));
  const rnd = rng.next;
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
  const paras = Array.from({ length: 8 + Math.floor(rnd() * 22) }, (_, k) =>
    k % 5 === 4 ? `<figure><img src="/img/${i}-${k}.jpg" alt="${words(4)}"><figcaption>${words(8)}</figcaption></figure>` : `<p>${words(60 + Math.floor(rnd() * 80))}, <a href="/story/${k}">${words(3)}</a>.</p>`,
  ).join('\n');
  const nav = Array.from({ length: 40 }, (_, k) => `<li><a href="/section/${k}">${words(2)}</a></li>`).join('');
  const side = Array.from({ length: 15 }, (_, k) => `<li><a href="/story/${i + k}">${words(7)}</a></li>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${words(6)}</title>
<script>window.dataLayer=[];${'function t(){return 1};'.repeat(200)}</script><style>${'.a{color:red}'.repeat(300)}</style></head>
<body><header><nav><ul>${nav}</ul></nav></header>
<main><article><h1>${words(8)}</h1><p class="byline">By ${words(2)}</p>${paras}</article>
<aside><h2>Most read</h2><ul>${side}</ul></aside></main>
<footer>${words(40)} <a href="/privacy">privacy</a></footer><script src="/analytics.js"></script></body></html>`;
}

/** Serves `pages` article pages over `ports` loopback ports (hosts); the URLs spread over them. */
export async function startPageServer(pages: number, ports: number, seed: number): Promise<{ urls: string[]; bytes: number; close(): Promise<void> }> {
  const bodies = Array.from({ length: pages }, (_, i) => Buffer.from(articlePage(i, seed)));
  const servers = await Promise.all(
    Array.from({ length: ports }, async () => {
      const server = http.createServer((req, res) => {
        const i = Number((req.url ?? '').match(/^\/a\/(\d+)\.html$/)?.[1] ?? -1);
        if (!(i >= 0 && i < pages)) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(bodies[i]);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const base = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  return {
    urls: bodies.map((_, i) => `${base[i % ports]}/a/${i}.html`),
    bytes: bodies.reduce((n, b) => n + b.length, 0),
    close: async () => void (await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))),
  };
}

export async function runFullTextTask(task: FullTextTask): Promise<TaskResult> {
  const dist = (p: string) => new URL(`../dist/${p}`, import.meta.url).href;
  const ingest = (await import(dist('ingest/index.js'))) as typeof import('../src/ingest/index.ts');
  const fetch = (await import(dist('fetch/index.js'))) as typeof import('../src/fetch/index.ts');
  const { BUILTIN_DEFAULTS } = (await import(dist('config/resolve.js'))) as typeof import('../src/config/resolve.ts');
  const named = { name: 'bench', slug: 'bench' };
  const channel = {
    key: 'bench/bench/bench',
    url: 'http://127.0.0.1/',
    group: named,
    source: named,
    channel: named,
    settings: { ...BUILTIN_DEFAULTS, allowPrivate: true, fullText: true as const },
    configPath: 'bench',
  };
  const site = { concurrency: 8, perHostConcurrency: 2 };
  const agents = fetch.createFetchAgents();
  const pages = ingest.pageLimiter(site);
  let ok = 0;
  let chars = 0;
  let ms: number;
  // How long the main thread is kept from anything else (a daemon's other channels, its HTTP server) while pages are read.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  if (task.way === 'refeed') {
    const pool = new ingest.FullTextPool();
    // Workers started and their code loaded before the clock starts, as in a running daemon.
    await pool.extract({ body: Buffer.from('<p>warm</p>'), url: 'http://127.0.0.1/', allowIframeHosts: [] });
    lag.enable();
    const t0 = performance.now();
    const results = await Promise.all(task.urls.map((link) => ingest.extractPage({ link, channel, pool, pages, agents })));
    ms = performance.now() - t0;
    lag.disable();
    for (const r of results) if ('html' in r) [ok, chars] = [ok + 1, chars + r.html.length];
    await pool.close();
  } else {
    const { Readability } = await import('@mozilla/readability');
    const { parseHTML } = await import('linkedom');
    lag.enable();
    const t0 = performance.now();
    await Promise.all(
      task.urls.map(async (url) => {
        const page = await pages.run(new URL(url).host, () => fetch.fetchPage({ url, settings: channel.settings, agents }));
        if (page.kind !== 'ok') return;
        const { document } = parseHTML(page.body.toString('utf8'));
        const article = new Readability(document as never).parse();
        if (article?.content) [ok, chars] = [ok + 1, chars + article.content.length];
      }),
    );
    ms = performance.now() - t0;
    lag.disable();
  }
  lag.disable();
  await agents.close();
  const loopDelay = { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 };
  return { ms, items: ok, detail: { way: task.way, pages: task.urls.length, extracted: ok, chars, loopDelay } };
}
