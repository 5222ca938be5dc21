import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse as hexoFrontMatter } from 'hexo-front-matter';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { reindexFromFiles, runFetch } from '../../src/ingest/index.ts';
import { parseArticle } from '../../src/normalize/index.ts';
import { publish } from '../../src/publish/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { assertValidAtom, assertWellFormed, jsonFeed11Schema, NEWSBOAT, newsboatItems, sfeedItems } from '../helpers/feed-clients.ts';
import { routes, startServer, type Handler, type TestServer } from '../helpers/server.ts';
import { writeConfig } from './fixture.ts';

// Issue 18: what a podcast carries survives republishing. A podcast feed
// modelled on Apple's example (audio and video enclosures with their byte
// sizes, itunes:duration in its three spellings, per-episode categories) and
// a JSON Feed with an audio/x-m4a attachment go through fetch (a loopback
// server) → store → publish; the enclosure's URL, type, length and duration
// and the item's tags must be in the RSS, Atom and JSON Feed files and in the
// article's front matter, as real clients read them.

const FIXTURES = path.join(import.meta.dirname, '../fixtures/publish/podcast');
const TYPES: Record<string, string> = { '.xml': 'application/xml; charset=utf-8', '.json': 'application/feed+json' };

/** Serves the published output folder, read at request time. */
function staticFolder(root: string): Handler {
  return (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  };
}

const SOURCE = 'https://podcasts.example.com/hiking-treks';
/** What each episode must carry wherever it is published. */
const EPISODES = {
  trailer: { title: 'Hiking Treks Trailer', url: `${SOURCE}/trailer.mp3`, type: 'audio/mpeg', length: 498537, duration: 1079, tags: ['Trailer'] },
  hood: { title: 'S02 EP04 Mt. Hood, Oregon', url: `${SOURCE}/s02e04-mthood.mp3`, type: 'audio/mpeg', length: 8727310, duration: 17 * 60 + 4, tags: ['Oregon', 'Mountains'] },
  boulder: { title: 'S02 EP03 Bouldering Around Boulder', url: `${SOURCE}/s02e03-boulder.mp4`, type: 'video/mp4', length: 5650889, duration: 3600 + 3 * 60 + 5, tags: ['Colorado', 'Climbing'] },
  // A relative enclosure URL (made absolute) and an unreadable itunes:duration (dropped).
  caribou: { title: 'S02 EP02 Caribou Mountain, Maine', url: `${SOURCE}/s02e02-caribou.mp3`, type: 'audio/mpeg', length: 5650889, duration: undefined, tags: [] },
  record: {
    title: 'Episode 39: Chris Parrish',
    url: 'http://therecord.example.com/podcast-downloads/therecord-39-parrish.m4a',
    type: 'audio/x-m4a',
    length: 89970236,
    duration: 6629,
    tags: ['Interviews', 'Markdown'],
  },
} as const;
type Episode = (typeof EPISODES)[keyof typeof EPISODES];
const LEVELS = {
  [EPISODES.record.title]: ['Podcasts', 'The Record', 'Episodes'],
} as Record<string, string[]>;
const levelsOf = (title: string) => LEVELS[title] ?? ['Podcasts', 'Hiking Treks', 'Episodes'];

const dirs: string[] = [];
let sources: TestServer;
let published: TestServer;
let home: string;
let config: RefeedConfig;
let state: Store;
const out = (file: string) => readFileSync(path.join(home, 'out', file), 'utf8');
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['item', 'entry', 'link', 'category', 'enclosure'].includes(name) });

beforeAll(async () => {
  sources = await startServer(
    routes({
      '/hiking-treks.rss': { body: readFileSync(path.join(FIXTURES, 'hiking-treks.rss.xml')) },
      '/record.json': { body: readFileSync(path.join(FIXTURES, 'episodes.json')), type: 'application/feed+json' },
    }),
  );
  home = mkdtempSync(path.join(os.tmpdir(), 'refeed-enclosures-'));
  dirs.push(home);
  published = await startServer(staticFolder(path.join(home, 'out')));
  config = writeConfig(
    home,
    `
site:
  title: refeed podcasts
  url: ${published.url}/
  output: out
  state: state.db
defaults:
  allow_private: true
groups:
  - name: Podcasts
    sources:
      - name: Hiking Treks
        channels:
          - name: Episodes
            url: ${sources.url}/hiking-treks.rss
      - name: The Record
        channels:
          - name: Episodes
            url: ${sources.url}/record.json
`,
  );
  state = await openStore(config.site.state);
  const reports = await runFetch(config, state, { logger: silentLogger });
  expect(reports.map((r) => [r.status, r.newItems])).toEqual([
    ['new', 4],
    ['new', 1],
  ]);
  const report = await publish(config, state, { logger: silentLogger });
  expect(report.errors).toEqual([]);
});

afterAll(async () => {
  await state?.close();
  await sources?.close();
  await published?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('RSS 2.0', () => {
  it('carries each episode\'s enclosure with its real length and type, its itunes:duration, and its tags after the three levels', () => {
    const rss = xml.parse(out('rss.xml')).rss;
    expect(rss['@xmlns:itunes']).toBe('http://www.itunes.com/dtds/podcast-1.0.dtd');
    const items = rss.channel.item as Record<string, unknown>[];
    expect(items).toHaveLength(5);
    for (const e of Object.values(EPISODES) as Episode[]) {
      const item = items.find((i) => i.title === e.title)!;
      expect(item, e.title).toBeDefined();
      expect(item.enclosure).toEqual([{ '@url': e.url, '@length': String(e.length), '@type': e.type }]);
      expect(item['itunes:duration']).toBe(e.duration === undefined ? undefined : e.duration);
      expect(item.category).toEqual([...levelsOf(e.title), ...e.tags]);
    }
  });

  it('keeps the source\'s isPermaLink="false" on a guid', () => {
    const items = xml.parse(out('rss.xml')).rss.channel.item as { title: string; guid: { '#text': string; '@isPermaLink': string } }[];
    expect(items.find((i) => i.title === EPISODES.trailer.title)!.guid).toEqual({ '#text': 'urn:refeed:id:D03EEC9B-B1B4-475B-92C8-54F853FA2A22', '@isPermaLink': 'false' });
    expect(items.find((i) => i.title === EPISODES.boulder.title)!.guid).toEqual({ '#text': `${SOURCE}/s02e03`, '@isPermaLink': 'true' });
  });

  it('reads the same in sfeed and rss-parser', async () => {
    assertWellFormed(path.join(home, 'out/rss.xml'));
    const sfeed = sfeedItems(out('rss.xml'));
    const parsed = await new Parser({ customFields: { item: ['itunes:duration'] } }).parseString(out('rss.xml'));
    for (const e of Object.values(EPISODES) as Episode[]) {
      const s = sfeed.find((i) => i.title === e.title)!;
      expect(s.enclosure).toBe(e.url);
      expect(s.categories).toEqual([...levelsOf(e.title), ...e.tags]);
      const p = parsed.items.find((i) => i.title === e.title)! as (typeof parsed.items)[number] & { itunes?: { duration?: string } };
      expect(p.enclosure).toEqual({ url: e.url, length: String(e.length), type: e.type });
      expect(p.itunes?.duration).toBe(e.duration === undefined ? undefined : String(e.duration));
    }
  });
});

describe('Atom 1.0', () => {
  it('lists every enclosure as link rel="enclosure" with type and length, and the tags after the three levels', () => {
    assertValidAtom(path.join(home, 'out/atom.xml'));
    const entries = xml.parse(out('atom.xml')).feed.entry as { title: { '#text': string }; link: Record<string, string>[]; category: { '@term': string }[] }[];
    for (const e of Object.values(EPISODES) as Episode[]) {
      const entry = entries.find((x) => x.title['#text'] === e.title)!;
      expect(entry.link.filter((l) => l['@rel'] === 'enclosure' && !l['@type'].startsWith('image/'))).toEqual([
        { '@rel': 'enclosure', '@type': e.type, '@href': e.url, '@length': String(e.length) },
      ]);
      expect(entry.category.map((c) => c['@term'])).toEqual([...levelsOf(e.title), ...e.tags]);
    }
  });

  it('dates a changed item by its update', () => {
    const entries = xml.parse(out('atom.xml')).feed.entry as { title: { '#text': string }; updated: string; published: string }[];
    const record = entries.find((x) => x.title['#text'] === EPISODES.record.title)!;
    expect(record).toMatchObject({ published: '2014-05-09T21:04:00.000Z', updated: '2014-05-12T16:00:00.000Z' });
  });
});

describe('JSON Feed 1.1', () => {
  it('has attachments with mime_type, size_in_bytes and duration_in_seconds, and the tags after the three levels', () => {
    const feed = jsonFeed11Schema.parse(JSON.parse(out('feed.json')));
    for (const e of Object.values(EPISODES) as Episode[]) {
      const item = feed.items.find((i) => i.title === e.title)!;
      expect(item.attachments).toEqual([{ url: e.url, mime_type: e.type, size_in_bytes: e.length, ...(e.duration ? { duration_in_seconds: e.duration } : {}) }]);
      expect(item.tags).toEqual([...levelsOf(e.title), ...e.tags]);
    }
    const record = feed.items.find((i) => i.title === EPISODES.record.title)!;
    expect(record).toMatchObject({
      summary: 'Brent interviews Chris Parrish, co-host of The Record and one-half of Aged & Distilled.',
      date_published: '2014-05-09T21:04:00.000Z',
      date_modified: '2014-05-12T16:00:00.000Z',
    });
  });
});

describe('the article file', () => {
  const articles = () => {
    const root = path.join(home, 'out/articles');
    return readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md'))
      .map((f) => readFileSync(path.join(root, f), 'utf8'));
  };

  it('keeps the seed lines, then has Hexo tags: and enclosures: that hexo-front-matter reads as lists', () => {
    const files = articles();
    expect(files).toHaveLength(5);
    for (const e of Object.values(EPISODES) as Episode[]) {
      const text = files.find((t) => parseArticle(t).title === e.title)!;
      const lines = text.split('\n');
      // The reference article's keys, in its order, first; the new ones only after `thumbnail:`.
      const keys = lines.slice(1, lines.indexOf('---', 1)).filter((l) => /^\w/.test(l)).map((l) => l.split(':')[0]);
      expect(keys.slice(0, 8)).toEqual(['title', 'categories', 'headimg', 'author', 'comments', 'date', 'thumbnail', ...(keys[7] === 'link' ? ['link'] : ['guid'])]);
      expect(keys.indexOf('enclosures')).toBeGreaterThan(keys.indexOf('thumbnail'));
      const fm = hexoFrontMatter(text) as Record<string, unknown>;
      expect(fm.categories).toEqual(levelsOf(e.title));
      if (e.tags.length) expect(fm.tags).toEqual([...e.tags]);
      else expect(fm.tags).toBeUndefined();
      expect(fm.enclosures).toEqual([{ url: e.url, type: e.type, length: e.length, ...(e.duration ? { duration: e.duration } : {}) }]);
      // And it reads back into the same article.
      expect(parseArticle(text)).toMatchObject({ tags: [...e.tags], enclosures: fm.enclosures });
    }
  });

  it('a hand edit of the tags comes back through reindex (a state rebuilt from the files), not through publish', async () => {
    const root = path.join(home, 'out/articles');
    const rel = readdirSync(root, { recursive: true, encoding: 'utf8' }).find(
      (f) => f.endsWith('.md') && parseArticle(readFileSync(path.join(root, f), 'utf8')).title === EPISODES.hood.title,
    )!;
    const file = path.join(root, rel);
    const before = readFileSync(file, 'utf8');
    const categories = () => (xml.parse(out('rss.xml')).rss.channel.item as { title: string; category: string[] }[]).find((i) => i.title === EPISODES.hood.title)!.category;
    const rebuilt = new SqliteStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'refeed-enc-')), 'state.db'));
    try {
      writeFileSync(file, before.replace(' - Mountains\n', ' - Volcanoes\n'));
      // Publishing reads the store alone: the file's edit is not what it publishes.
      await publish(config, state, { logger: silentLogger, full: true });
      expect(categories()).toEqual([...levelsOf(EPISODES.hood.title), 'Oregon', 'Mountains']);
      await reindexFromFiles(config, rebuilt, silentLogger);
      await publish(config, rebuilt, { logger: silentLogger, full: true });
      expect(categories()).toEqual([...levelsOf(EPISODES.hood.title), 'Oregon', 'Volcanoes']);
    } finally {
      await rebuilt.close();
      writeFileSync(file, before);
      await publish(config, state, { logger: silentLogger, full: true });
    }
  });
});

// newsboat: a terminal feed reader with a podcast queue (podboat). It stores
// the enclosure it will download; missing, the check is skipped saying why,
// except under CI=true.
const hasNewsboat = existsSync(NEWSBOAT);
if (!hasNewsboat) {
  const why = `newsboat check: no newsboat at ${NEWSBOAT} (apt-get install newsboat, or set REFEED_NEWSBOAT)`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI must run it`);
  console.warn(`skipped: ${why}`);
}

describe.skipIf(!hasNewsboat)('newsboat', () => {
  for (const file of ['rss.xml', 'atom.xml']) {
    it(`queues each episode's audio or video from ${file}`, async () => {
      const { items, stderr } = await newsboatItems(`${published.url}/${file}`);
      expect(items, stderr).toHaveLength(5);
      for (const e of Object.values(EPISODES) as Episode[]) {
        const item = items.find((i) => i.title === e.title)!;
        expect({ url: item.enclosureUrl, type: item.enclosureType }).toEqual({ url: e.url, type: e.type });
      }
    });
  }
});
