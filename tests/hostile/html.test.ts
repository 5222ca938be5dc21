import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml2js, type Element as XmlElement } from 'xml-js';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { parseArticle } from '../../src/normalize/index.ts';
import { publish } from '../../src/publish/index.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { atom, jsonFeed, rss, type FeedItemSpec } from './feeds.ts';
import { wrapped, XSS_PAYLOADS } from './payloads.ts';
import { htmlFindings, jsonFeedFindings, scanOutput, xmlFindings } from './scan.ts';

// Issue 5, hostile HTML: a table of XSS payloads served by upstream RSS, Atom
// and JSON feeds, ingested and published for real; then every file under the
// output folder is parsed like a reader would and scanned for anything
// executable. The harmless markup around each payload must come through.

const FORMATS = ['rss', 'atom', 'json'] as const;
type Format = (typeof FORMATS)[number];

const DATE = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, i));

function payloadItems(format: Format): FeedItemSpec[] {
  const items: FeedItemSpec[] = XSS_PAYLOADS.map((_, i) => ({
    guid: `${format}-${i}`,
    title: `Payload ${i}`,
    link: `https://upstream.example/${format}/${i}`,
    date: DATE(i),
    html: wrapped(i),
  }));
  // Hostile values outside the body: a script URL as link and image, markup in title and author.
  items.push({
    guid: `${format}-fields`,
    title: '<script>alert("title")</script><img src=x onerror=alert(1)>',
    link: 'javascript:alert("link")',
    author: '<img src=x onerror=alert("author")>',
    image: 'javascript:alert("image")',
    date: DATE(100),
    html: '<p>fields-body</p>',
  });
  // No guid: the item's key is its (script) link, which a published id must not carry.
  if (format === 'rss') items.push({ title: 'Identity from a script link', link: 'javascript:alert("id")', date: DATE(101), html: '<p>id-body</p>' });
  return items;
}

const SERVED: Record<Format, { body: string; type: string }> = {
  rss: { body: rss('xss-rss', payloadItems('rss')), type: 'application/rss+xml' },
  atom: { body: atom('xss-atom', payloadItems('atom')), type: 'application/atom+xml' },
  json: { body: jsonFeed('xss-json', payloadItems('json')), type: 'application/feed+json' },
};

function textOf(e: XmlElement | undefined): string {
  return (e?.elements ?? []).map((c) => (c.type === 'text' ? String(c.text) : c.type === 'cdata' ? String(c.cdata) : '')).join('');
}

/** The HTML bodies of a published feed file, by item id, as a reader decodes them. */
function publishedBodies(file: string): Map<string, string> {
  const text = readFileSync(file, 'utf8');
  const out = new Map<string, string>();
  if (file.endsWith('.json')) {
    for (const it of JSON.parse(text).items as { id: string; content_html: string }[]) out.set(it.id, it.content_html);
    return out;
  }
  const doc = xml2js(text, { compact: false }) as XmlElement;
  const root = doc.elements!.find((e) => e.type === 'element')!;
  const kids = (e: XmlElement, name: string) => (e.elements ?? []).filter((c) => c.name === name);
  if (root.name === 'rss') {
    for (const item of kids(kids(root, 'channel')[0], 'item')) out.set(textOf(kids(item, 'guid')[0]), textOf(kids(item, 'content:encoded')[0]));
  } else {
    for (const entry of kids(root, 'entry')) out.set(textOf(kids(entry, 'id')[0]), textOf(kids(entry, 'content')[0]));
  }
  return out;
}

describe('hostile HTML: XSS payloads from upstream feeds', () => {
  let server: TestServer;
  let config: RefeedConfig;
  let state: SqliteStore;

  beforeAll(async () => {
    server = await startServer(routes({ '/rss.xml': SERVED.rss, '/atom.xml': SERVED.atom, '/feed.json': SERVED.json }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-xss-'));
    writeFileSync(
      path.join(dir, 'refeed.yaml'),
      stringify({
        site: { title: 'xss', url: 'http://127.0.0.1/', output: 'out', state: 'state.db', limit: 500 },
        defaults: { limit: 200, author: 'item', allow_private: true },
        groups: [{ name: 'xss', sources: [{ name: 'xss', channels: FORMATS.map((f) => ({ name: f, url: `${server.url}/${f === 'json' ? 'feed.json' : `${f}.xml`}` })) }] }],
      }),
    );
    config = loadConfig(path.join(dir, 'refeed.yaml'));
    state = new SqliteStore(config.site.state);
    const reports = await runFetch(config, state, { logger: silentLogger, now: () => Date.UTC(2024, 5, 1) });
    for (const r of reports) expect(r, r.key).toMatchObject({ status: 'new', newItems: XSS_PAYLOADS.length + (r.key.endsWith('/rss') ? 2 : 1) });
    const pub = await publish(config, state, { logger: silentLogger });
    expect(pub.errors).toEqual([]);
    expect(pub.skipped).toEqual([]);
  });

  afterAll(async () => {
    await state?.close();
    await server?.close();
    if (config) rmSync(path.dirname(config.file), { recursive: true, force: true });
  });

  it('the scanner sees every payload as served upstream (it is not blind)', () => {
    for (const p of XSS_PAYLOADS) expect(htmlFindings(p.html), p.name).not.toEqual([]);
    const rssFindings = xmlFindings(SERVED.rss.body);
    const atomFindings = xmlFindings(SERVED.atom.body);
    const jsonFindings = jsonFeedFindings(SERVED.json.body);
    for (const findings of [rssFindings, atomFindings, jsonFindings]) expect(findings.length).toBeGreaterThanOrEqual(XSS_PAYLOADS.length);
  });

  it('leaves nothing executable in any article, feed, OPML or index file', () => {
    const { files, findings } = scanOutput(config.site.output);
    // 3 × (payloads + 1) articles, 3 formats × (merged, group, source, 3 channels), index.html, index.opml, categories.opml
    expect(files).toBe(3 * (XSS_PAYLOADS.length + 1) + 1 + 3 * 6 + 3);
    expect(findings).toEqual({});
  });

  it('keeps the harmless markup around every payload, in the articles and in every feed format', () => {
    const rows = state.db.prepare('SELECT identity, path FROM articles').all() as { identity: string; path: string }[];
    const articleHtml = new Map(rows.map((r) => [r.identity, parseArticle(readFileSync(path.join(config.site.output, r.path), 'utf8')).html]));
    for (const format of FORMATS) {
      const dir = path.join(config.site.output, 'xss/xss', format);
      const feeds = ['rss.xml', 'atom.xml', 'feed.json'].map((f) => ({ f, bodies: publishedBodies(path.join(dir, f)) }));
      for (const [i, p] of XSS_PAYLOADS.entries()) {
        const guid = `${format}-${i}`;
        const before = `<p>keep-${i} <b>bold-${i}</b> <a href="https://ok.example/${i}">ok-link-${i}</a></p>`;
        const after = `<p>after-${i}</p>`;
        const html = articleHtml.get(guid);
        expect(html, `${guid} (${p.name}) article`).toContain(before);
        if (!p.swallowsRest) expect(html, `${guid} (${p.name}) article`).toContain(after);
        for (const { f, bodies } of feeds) {
          const body = [...bodies].find(([id]) => id === guid || id.endsWith(`:${guid}`) || id.endsWith(encodeURIComponent(guid)))?.[1];
          expect(body, `${guid} (${p.name}) in ${format}/${f}`).toBe(html);
        }
      }
    }
  });

  it('writes hostile titles and authors as text, and drops script links and images', () => {
    for (const format of FORMATS) {
      const row = state.db.prepare('SELECT path, link FROM articles WHERE identity = ?').get(`${format}-fields`) as { path: string; link: string | null };
      expect(row.link).toBeNull();
      const a = parseArticle(readFileSync(path.join(config.site.output, row.path), 'utf8'));
      expect(a.title).toBe('<script>alert("title")</script><img src=x onerror=alert(1)>');
      expect(a.author).toBe('<img src=x onerror=alert("author")>');
      expect(a.link).toBeUndefined();
      expect(a.headimg).toMatch(/^https:\/\/picsum\.photos\//);
      const dir = path.join(config.site.output, 'xss/xss', format);
      // Atom says so explicitly; RSS and JSON titles are text by definition. Readers get the literal text.
      for (const f of ['rss.xml', 'atom.xml']) {
        const doc = xml2js(readFileSync(path.join(dir, f), 'utf8'), { compact: false }) as XmlElement;
        const titles: XmlElement[] = [];
        const walk = (e: XmlElement) => (e.name === 'title' ? titles.push(e) : e.elements?.forEach(walk));
        walk(doc);
        const t = titles.find((e) => textOf(e).startsWith('<script>'));
        expect(textOf(t), f).toBe('<script>alert("title")</script><img src=x onerror=alert(1)>');
        if (f === 'atom.xml') expect(t!.attributes).toEqual({ type: 'text' });
      }
      if (format === 'rss') {
        // The guid-less item's id is its item key, the script link: published as an opaque urn.
        const ids = [...publishedBodies(path.join(dir, 'feed.json')).keys()];
        expect(ids).toContain(`urn:refeed:id:${encodeURIComponent('javascript:alert("id")')}`);
      }
      const json = JSON.parse(readFileSync(path.join(dir, 'feed.json'), 'utf8'));
      const item = json.items.find((i: { title: string }) => i.title.startsWith('<script>'));
      expect(item.url).toBeUndefined();
      expect(item.authors).toEqual([{ name: '<img src=x onerror=alert("author")>' }]);
    }
  });
});
