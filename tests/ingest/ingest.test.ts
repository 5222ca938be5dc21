import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueBySchedule } from '../../src/schedule/due.ts';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { parseArticle } from '../../src/normalize/index.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// The ingest pass end to end: fixture feeds on loopback → article files + state.

const RSS = (items: string, extra = '') => `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title><link>https://site.example/</link>${extra}${items}</channel></rss>`;

const item = (guid: string, title: string, body: string, date = 'Sat, 30 Jul 2022 00:00:00 GMT', link = `https://site.example/p/${guid}`) =>
  `<item><title>${title}</title><link>${link}</link><guid isPermaLink="false">${guid}</guid>${date ? `<pubDate>${date}</pubDate>` : ''}<content:encoded><![CDATA[${body}]]></content:encoded></item>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example/blog/"><title>A</title><id>urn:a</id><updated>2024-01-02T00:00:00Z</updated>
<entry><title>Atom entry</title><id>urn:a:1</id><link href="posts/1"/><updated>2024-01-02T00:00:00Z</updated>
<content type="html">&lt;p&gt;Hello &lt;img src="img/x.png"&gt; {braces}&lt;/p&gt;</content></entry></feed>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/"><title>R</title><link>https://rdf.example/</link><description>d</description></channel>
<item rdf:about="https://rdf.example/1"><title>RDF item</title><link>https://rdf.example/1</link><description>RDF body</description><dc:date>2024-02-01T10:00:00Z</dc:date></item>
</rdf:RDF>`;

const JSONFEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'J',
  home_page_url: 'https://json.example/',
  items: [{ id: 'j1', url: 'https://json.example/1', title: 'JSON item', content_html: '<p>json body</p>', date_published: '2024-03-01T00:00:00Z' }],
});

const GBK_XML = iconv.encode(
  `<?xml version="1.0" encoding="gbk"?><rss version="2.0"><channel><title>中文</title><link>https://gbk.example/</link>${item('g1', '中文标题：产业互联网', '<p>正文内容</p>')}</channel></rss>`,
  'gbk',
);

describe('ingest: fetch → normalize → store', () => {
  let server: TestServer;
  let dir: string;
  let config: RefeedConfig;
  let state: SqliteStore;
  let mainFeed = RSS(item('1', 'It&apos;s "quoted" {x}', '<p>first <a href="/rel">rel</a> <script>alert(1)</script></p>') + item('2', 'No date', '<p>x</p>', ''));

  beforeAll(async () => {
    server = await startServer((req, res) => {
      const p = (req.url ?? '').split('?')[0];
      const send = (body: string | Buffer, type: string, etag?: string) => {
        if (etag && req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
        res.writeHead(200, { 'content-type': type, ...(etag ? { etag } : {}) }).end(body);
      };
      if (p === '/main.xml') return send(mainFeed, 'application/rss+xml', `"${Buffer.from(mainFeed).length}"`);
      if (p === '/atom.xml') return send(ATOM, 'application/atom+xml');
      if (p === '/rdf.xml') return send(RDF, 'application/rdf+xml');
      if (p === '/feed.json') return send(JSONFEED, 'application/feed+json');
      if (p === '/gbk.xml') return send(GBK_XML, 'application/rss+xml');
      // The same article as /main.xml item 1, seen through another channel.
      if (p === '/mirror.xml') return send(RSS(item('other-guid', 'Mirror', '<p>m</p>', undefined, 'https://site.example/p/1')), 'application/rss+xml');
      if (p === '/gone.xml') return void res.writeHead(410).end();
      if (p === '/busy.xml') return void res.writeHead(429, { 'retry-after': '7200' }).end();
      if (p === '/old.xml') return void res.writeHead(301, { location: '/new.xml' }).end();
      if (p === '/new.xml') return send(RSS(item('n1', 'Moved', '<p>n</p>')), 'application/rss+xml');
      if (p === '/broken.xml') return send('<rss><channel><item><title>unterminated', 'application/rss+xml');
      res.writeHead(404).end();
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-ingest-'));
    const ch = (name: string, p: string) => `          - { name: ${name}, url: "${server.url}${p}" }\n`;
    config = parseConfig(
      `site: { output: out, state: state.db }
defaults: { allow_private: true }
groups:
  - name: 新媒体
    slug: xmt
    sources:
      - name: 人人都是产品经理
        slug: woshipm
        channels:
${ch('main', '/main.xml')}${ch('atom', '/atom.xml')}${ch('rdf', '/rdf.xml')}${ch('json', '/feed.json')}${ch('gbk', '/gbk.xml')}${ch('mirror', '/mirror.xml')}
      - name: Trouble
        channels:
${ch('gone', '/gone.xml')}${ch('busy', '/busy.xml')}${ch('old', '/old.xml')}${ch('broken', '/broken.xml')}`,
      path.join(dir, 'refeed.yaml'),
    );
    state = new SqliteStore(config.site.state);
  });

  afterAll(async () => {
    await state?.close();
    await server?.close();
  });

  const byKey = (reports: Awaited<ReturnType<typeof runFetch>>) => Object.fromEntries(reports.map((r) => [r.key.split('/')[2], r]));
  const articlesOf = (channel: string) => {
    const rows = state.db
      .prepare('SELECT a.path FROM entries e JOIN articles a ON a.id = e.article_id WHERE e.c = ? ORDER BY a.date')
      .all(channel) as { path: string }[];
    return rows.map((r) => ({ path: r.path, text: readFileSync(path.join(config.site.output, r.path), 'utf8') }));
  };
  let first: ReturnType<typeof byKey>;

  it('reads every format and reports each channel, broken ones included', async () => {
    first = byKey(await runFetch(config, state, { logger: silentLogger, now: () => Date.UTC(2024, 5, 1) }));
    expect(first.main).toMatchObject({ status: 'new', newItems: 2 });
    for (const k of ['atom', 'rdf', 'json', 'gbk']) expect(first[k]).toMatchObject({ status: 'new', newItems: 1 });
    expect(first.broken.status).toBe('error');
    expect(first.broken.error?.code).toBe('parse');
    expect(first.gone.error?.code).toBe('gone');
    expect(first.busy.error?.code).toBe('rate-limited');
  });

  it('writes articles in the reference shape', () => {
    const [a] = articlesOf('main').filter((x) => x.text.includes('quoted'));
    expect(a.path).toMatch(/^articles\/xmt\/woshipm\/[0-9a-f]{20}\.md$/);
    expect(a.text).toContain(`title: 'It''s "quoted" {x}'\ncategories: \n - 新媒体\n - 人人都是产品经理\n - main\n`);
    expect(a.text).toContain('date: Sat, 30 Jul 2022 00:00:00 GMT\n');
    expect(a.text).toContain('href="https://site.example/rel"');
    expect(a.text).not.toMatch(/<script|alert\(1\)/);
    const parsed = parseArticle(a.text);
    expect(parsed.title).toBe(`It's "quoted" {x}`);
    const atom = articlesOf('atom')[0].text;
    expect(atom).toContain('src="https://atom.example/blog/img/x.png" referrerpolicy="no-referrer"');
    expect(atom).toContain('&#123;braces&#125;');
    expect(atom).toContain(`headimg: 'https://atom.example/blog/img/x.png'`);
    expect(articlesOf('gbk')[0].text).toContain(`title: '中文标题：产业互联网'`);
    expect(articlesOf('gbk')[0].text).toContain('<p>正文内容</p>');
    expect(articlesOf('rdf')[0].text).toContain('date: Thu, 01 Feb 2024 10:00:00 GMT');
    expect(articlesOf('json')[0].text).toContain('<p>json body</p>');
  });

  it('holds each article\'s content exactly as its file reads back', async () => {
    const rows = state.db.prepare('SELECT id, path FROM articles').all() as { id: string; path: string }[];
    expect(rows.length).toBeGreaterThan(5);
    const contents = await state.articleContent(rows.map((r) => r.id));
    for (const r of rows) {
      const file = path.join(config.site.output, r.path);
      // All but itemAuthor, which only rules read: the item's own author where the file shows the source's name.
      const { itemAuthor, ...cached } = contents.get(r.id)!;
      const parsed = parseArticle(readFileSync(file, 'utf8'));
      expect(JSON.parse(JSON.stringify(cached))).toEqual(JSON.parse(JSON.stringify(parsed)));
      expect(itemAuthor === undefined || itemAuthor !== cached.author).toBe(true);
    }
  });

  it('gives an undated item its first-seen time, stable afterwards', async () => {
    const undated = () => articlesOf('main').find((x) => x.text.includes(`title: 'No date'`))!.text;
    expect(undated()).toContain('date: Sat, 01 Jun 2024 00:00:00 GMT');
    mainFeed = mainFeed.replace('<p>x</p>', '<p>x changed</p>');
    await runFetch(config, state, { logger: silentLogger, now: () => Date.UTC(2024, 6, 1), only: 'main' });
    expect(undated()).toContain('x changed');
    expect(undated()).toContain('date: Sat, 01 Jun 2024 00:00:00 GMT');
  });

  it('stores the same link once across channels', () => {
    expect(first.mirror).toMatchObject({ newItems: 0, duplicates: 1 });
    expect(state.db.prepare('SELECT count(*) AS n FROM articles WHERE link = ?').get('https://site.example/p/1')).toEqual({ n: 1 });
  });

  it('uses conditional GET, and leaves unchanged articles untouched', async () => {
    const files = articlesOf('main').map((a) => path.join(config.site.output, a.path));
    const mtimes = files.map((f) => statSync(f).mtimeMs);
    const before = server.requests.length;
    const r = byKey(await runFetch(config, state, { logger: silentLogger, only: 'main' }));
    expect(r.main.status).toBe('not-modified');
    const req = server.requests.slice(before).find((x) => x.path === '/main.xml')!;
    expect(req.headers['if-none-match']).toBeTruthy();
    expect(files.map((f) => statSync(f).mtimeMs)).toEqual(mtimes);
  });

  it('rewrites the same file when an item changes', async () => {
    const before = articlesOf('main').map((a) => a.path).sort();
    mainFeed = mainFeed.replace('first', 'first, edited');
    const r = byKey(await runFetch(config, state, { logger: silentLogger, only: 'main' }));
    expect(r.main).toMatchObject({ status: 'updated', updatedItems: 1, newItems: 0 });
    expect(articlesOf('main').map((a) => a.path).sort()).toEqual(before);
    expect(articlesOf('main').some((a) => a.text.includes('first, edited'))).toBe(true);
    expect(readdirSync(path.join(config.site.output, 'articles/xmt/woshipm')).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });

  it('disables a 410 channel, honours Retry-After, follows a permanent redirect', async () => {
    const now = Date.UTC(2024, 5, 1);
    const gone = (await state.channelState('xmt/trouble/gone'))!;
    expect(gone.disabled).toBe(true);
    const busy = (await state.channelState('xmt/trouble/busy'))!;
    expect(busy.nextRunAt! - now).toBeGreaterThanOrEqual(7_200_000);
    expect(first.old.movedTo).toBe(`${server.url}/new.xml`);
    expect((await state.channelState('xmt/trouble/old'))!.url).toBe(`${server.url}/new.xml`);
    const again = byKey(await runFetch(config, state, { logger: silentLogger, only: 'trouble' }));
    expect(again.gone.status).toBe('disabled');
    expect(server.requests.filter((r) => r.path === '/gone.xml')).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === '/old.xml')).toHaveLength(1);
  });

  it('skips channels that are not due in a cron-driven pass', async () => {
    const before = server.requests.filter((r) => r.path === '/busy.xml').length;
    await runFetch(config, state, { logger: silentLogger, isDue: dueBySchedule(), only: 'busy' });
    expect(server.requests.filter((r) => r.path === '/busy.xml').length).toBe(before);
  });

  it('keeps earlier articles when a channel later breaks', async () => {
    const count = await state.countArticles();
    mainFeed = '<html><body>oops</body></html>';
    const r = byKey(await runFetch(config, state, { logger: silentLogger, only: 'main' }));
    expect(r.main.status).toBe('error');
    expect(await state.countArticles()).toBe(count);
    expect(articlesOf('main')).toHaveLength(2);
    expect((await state.channelState('xmt/woshipm/main'))!.lastError).toMatch(/not-a-feed|html/i);
  });
});
