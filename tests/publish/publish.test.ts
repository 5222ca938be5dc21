import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { syncChannels } from '../../src/ingest/index.ts';
import { entryId, feedUrls, planFeeds, publish, type FeedSpec } from '../../src/publish/index.ts';
import { articlePath } from '../../src/store/index.ts';
import { channelOf, makeArticle, storeArticle } from '../helpers/articles.ts';
import { assertValidAtom, assertWellFormed, jsonFeed11Schema, rssParserItems, sfeedItems, type ClientItem } from '../helpers/feed-clients.ts';
import { atomProblems, rssProblems } from '../helpers/feed-validator.ts';
import { childElements, parseXml, rootOf, type Element } from '../helpers/xml-tree.ts';
import { changedFiles, CONFIG_YAML, expectedItems, fixtureFactory, idOf, indexHandWritten, KEYS, snapshot, writeConfig, type Fixture } from './fixture.ts';

// A fixed clock: publishes into different stores are compared byte for byte, index.html's "updated" time included.
const opts = { logger: silentLogger, now: () => Date.UTC(2024, 2, 12, 8, 0) };
const fresh = fixtureFactory();

const read = (f: Fixture, rel: string) => readFileSync(path.join(f.output, rel), 'utf8');
const essentials = (items: ClientItem[]) => items.map((i) => ({ id: i.id, title: i.title, link: i.link, date: i.date }));

describe('publish: files and contents', () => {
  it('writes the three feeds for the merged feed, every group, source and channel, plus index files', async () => {
    const f = await fresh();
    const report = await publish(f.config, f.state, opts);
    const specs = planFeeds(f.config);
    expect(specs.map((s) => s.key)).toEqual([
      '',
      'tech',
      'tech/hn',
      KEYS.front,
      KEYS.best,
      'tech/lwn',
      KEYS.lwn,
      'xinmeiti',
      'xinmeiti/woshipm',
      KEYS.woshipm,
    ]);
    const expectedFiles = [...specs.flatMap((s) => ['rss.xml', 'atom.xml', 'feed.json'].map((n) => `${s.dir}${n}`)), 'index.opml', 'categories.opml', 'index.html'];
    expect([...snapshot(f.output).keys()].sort()).toEqual([...expectedFiles].sort());
    expect([...report.written].sort()).toEqual([...expectedFiles].sort());
    expect(report.rebuilt).toEqual(specs.map((s) => s.key));
    expect(report.skipped).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(await f.state.dirtyFeeds()).toEqual([]);
  });

  it('every Atom file validates against RFC 4287, every XML file is well-formed, and both pass the W3C Feed Validator rules', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    for (const spec of planFeeds(f.config)) {
      assertValidAtom(path.join(f.output, spec.dir, 'atom.xml'));
      assertWellFormed(path.join(f.output, spec.dir, 'rss.xml'));
      expect(rssProblems(read(f, `${spec.dir}rss.xml`)), `${spec.dir}rss.xml`).toEqual([]);
      expect(atomProblems(read(f, `${spec.dir}atom.xml`)), `${spec.dir}atom.xml`).toEqual([]);
    }
    assertWellFormed(path.join(f.output, 'index.opml'));
  });

  it('two independent parsers read back every feed: same items, titles, links, dates and ids, newest first, per-level limits', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const limits: Record<string, number> = {};
    for (const spec of planFeeds(f.config)) {
      const want = expectedItems(spec, f.articles);
      limits[spec.key] = want.length;
      // One id per item, whatever the format: a reader subscribed to two of them sees no duplicates.
      const id = (a: (typeof want)[number]) => entryId(a.guid ?? a.link ?? a.itemKey);
      const expected = want.map((a) => ({ id: id(a), title: a.title, link: a.link, date: a.date.getTime() / 1000 }));
      for (const file of ['rss.xml', 'atom.xml']) {
        const xml = read(f, `${spec.dir}${file}`);
        expect(essentials(sfeedItems(xml)), `sfeed ${spec.dir}${file}`).toEqual(expected);
        expect(essentials(await rssParserItems(xml)), `rss-parser ${spec.dir}${file}`).toEqual(expected);
      }
      const json = jsonFeed11Schema.parse(JSON.parse(read(f, `${spec.dir}feed.json`)));
      expect(json.items.map((i) => [i.id, i.title, i.url, i.date_published])).toEqual(want.map((a) => [id(a), a.title, a.link, a.date.toISOString()]));
    }
    // site.limit 6 for the merged feed, 50 (default) for Tech, 2 for Best, 3 inherited from the 新媒体 group.
    expect(limits).toMatchObject({ '': 6, tech: 15, 'tech/hn': 10, [KEYS.best]: 2, xinmeiti: 3, 'xinmeiti/woshipm': 3, [KEYS.woshipm]: 3 });
  });

  it('names feeds by category path, links them to themselves and dates them by their newest item', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const hn = planFeeds(f.config).find((s) => s.key === 'tech/hn')!;
    const atom = rootOf(parseXml(read(f, 'tech/hn/atom.xml')));
    const text = (e: Element, name: string) => childElements(e, name)[0]?.elements?.map((c) => c.text ?? c.cdata).join('');
    expect(text(atom, 'title')).toBe('refeed · Tech / Hacker News');
    expect(childElements(atom, 'link').find((l) => l.attributes?.rel === 'self')?.attributes?.href).toBe('https://feeds.example/sub/tech/hn/atom.xml');
    expect(text(atom, 'updated')).toBe(expectedItems(hn, f.articles)[0].date.toISOString());
    const rss = await rssParserItems(read(f, 'tech/hn/rss.xml'));
    expect(rss[0].categories).toEqual(['Tech', 'Hacker News', expectedItems(hn, f.articles)[0].categories[2]]);
    const merged = rootOf(parseXml(read(f, 'atom.xml')));
    expect(text(merged, 'title')).toBe('refeed');
    const json = JSON.parse(read(f, 'xinmeiti/feed.json'));
    expect(json).toMatchObject({ title: 'refeed · 新媒体', feed_url: 'https://feeds.example/sub/xinmeiti/feed.json', language: 'zh-CN' });
  });

  it('index.opml lists every channel feed once, nested by group and source; categories.opml the groups', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const specs = planFeeds(f.config);
    const body = childElements(rootOf(parseXml(read(f, 'index.opml'))), 'body')[0];
    const all: Element[] = [];
    const walk = (e: Element) => {
      for (const c of childElements(e, 'outline')) {
        all.push(c);
        walk(c);
      }
    };
    walk(body);
    const feeds = all.filter((o) => o.attributes?.xmlUrl);
    // Only the channels (issue 22): the merged, group and source feeds would list their articles again.
    expect(feeds.map((o) => o.attributes!.xmlUrl)).toEqual(specs.filter((s) => s.level === 'channel').map((s) => feedUrls(f.config.site, s).rss));
    // Structure: one folder per group holding one folder per source.
    const top = childElements(body, 'outline');
    expect(top.map((o) => o.attributes!.text)).toEqual(['Tech', '新媒体']);
    const tech = childElements(top[0], 'outline');
    expect(tech.map((o) => o.attributes!.text)).toEqual(['Hacker News', 'LWN.net']);
    expect(childElements(tech[0], 'outline').map((o) => o.attributes!.xmlUrl)).toEqual([
      'https://feeds.example/sub/tech/hn/front-page/rss.xml',
      'https://feeds.example/sub/tech/hn/best/rss.xml',
    ]);
    const categories = childElements(childElements(rootOf(parseXml(read(f, 'categories.opml'))), 'body')[0], 'outline');
    expect(categories.map((o) => o.attributes!.xmlUrl)).toEqual(['https://feeds.example/sub/tech/rss.xml', 'https://feeds.example/sub/xinmeiti/rss.xml']);
  });

  it('index.html lists categories with their feeds and latest items, and advertises the merged and group feeds', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const html = read(f, 'index.html');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const doc = parseDocument(html);
    const alternates = DomUtils.findAll((e) => e.name === 'link' && e.attribs.rel === 'alternate', doc.children).map((e) => [e.attribs.type, e.attribs.href]);
    expect(alternates).toEqual([
      ['application/rss+xml', 'https://feeds.example/sub/rss.xml'],
      ['application/atom+xml', 'https://feeds.example/sub/atom.xml'],
      ['application/feed+json', 'https://feeds.example/sub/feed.json'],
      // and every group's (issue 22)
      ...['tech', 'xinmeiti'].flatMap((g) => [
        ['application/rss+xml', `https://feeds.example/sub/${g}/rss.xml`],
        ['application/atom+xml', `https://feeds.example/sub/${g}/atom.xml`],
        ['application/feed+json', `https://feeds.example/sub/${g}/feed.json`],
      ]),
    ]);
    const hrefs = DomUtils.findAll((e) => e.name === 'a', doc.children).map((e) => DomUtils.getAttributeValue(e, 'href'));
    for (const spec of planFeeds(f.config)) for (const file of ['rss.xml', 'atom.xml', 'feed.json']) expect(hrefs).toContain(`${spec.dir}${file}`);
    const text = DomUtils.textContent(doc);
    for (const name of ['Tech', 'Hacker News', 'LWN.net', '新媒体', '人人都是产品经理', '最新文章']) expect(text).toContain(name);
    // The newest item of a channel, title with & < and quotes shown as text.
    const front = expectedItems(planFeeds(f.config).find((s) => s.key === KEYS.front)!, f.articles)[0];
    expect(text).toContain(front.title);
    expect(hrefs).toContain(front.link);
  });
});

describe('publish: determinism and incremental work', () => {
  it('publishing twice gives byte-identical files and the second run writes nothing', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const before = snapshot(f.output);
    const second = await publish(f.config, f.state, opts);
    expect(second.written).toEqual([]);
    expect(second.rebuilt).toEqual([]);
    expect(changedFiles(before, snapshot(f.output))).toEqual([]);
    // A forced full rebuild regenerates everything, to the same bytes, rewriting nothing.
    const full = await publish(f.config, f.state, { ...opts, full: true });
    expect(full.rebuilt).toHaveLength(planFeeds(f.config).length);
    expect(full.written).toEqual([]);
    expect(changedFiles(before, snapshot(f.output))).toEqual([]);
  });

  it('the same store published into a fresh folder gives the same bytes', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const first = snapshot(f.output);
    for (const rel of first.keys()) rmSync(path.join(f.output, rel));
    await publish(f.config, f.state, opts);
    const again = snapshot(f.output);
    expect([...again.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [rel, s] of first) expect(again.get(rel)!.bytes, rel).toBe(s.bytes);
  });

  it('parses each article file at most once per run', async () => {
    const f = await fresh();
    const report = await publish(f.config, f.state, opts);
    // Every article appears in several feeds (merged, group, source, channel) but is read once.
    const perFeed = planFeeds(f.config).map((s) => expectedItems(s, f.articles));
    const distinct = new Set(perFeed.flat());
    expect(perFeed.flat().length).toBeGreaterThan(3 * distinct.size);
    expect(report.articlesUsed).toBe(distinct.size);
  });

  it('one new article rewrites only the feeds containing it (+ index files)', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const before = snapshot(f.output);
    const front = channelOf(f.config, KEYS.front);
    const added = makeArticle(front, { title: 'Breaking & new <news>', date: '2024-03-11T00:00:00Z', link: 'https://front-page.example/new' });
    await storeArticle(f.config, f.state, added);
    const report = await publish(f.config, f.state, opts);
    expect(report.rebuilt).toEqual(['', 'tech', 'tech/hn', KEYS.front]);
    // Only the items of the rebuilt feeds are used, and no file is parsed: the
    // store holds every article's content as ingest wrote it, the new one's too.
    const specs = planFeeds(f.config).filter((s) => report.rebuilt.includes(s.key));
    const inRebuilt = new Set(specs.flatMap((s) => expectedItems(s, [...f.articles, added])));
    expect(report.articlesUsed).toBe(inRebuilt.size);
    expect(inRebuilt.size).toBeLessThan(f.articles.length);
    const changed = changedFiles(before, snapshot(f.output));
    expect(changed).toEqual(
      ['', 'tech/', 'tech/hn/', `${KEYS.front}/`].flatMap((d) => ['atom.xml', 'feed.json', 'rss.xml'].map((n) => `${d}${n}`)).concat(['index.html']).sort(),
    );
    expect(sfeedItems(read(f, `${KEYS.front}/rss.xml`))[0].title).toBe('Breaking & new <news>');
    expect(await f.state.dirtyFeeds()).toEqual([]);
    // The OPML depends on the configuration only: not even regenerated.
    expect([...report.written, ...report.unchanged]).not.toContain('index.opml');
    expect([...report.written, ...report.unchanged]).not.toContain('categories.opml');
    // index.html took the other channels' latest items from the ledger: a full rebuild gives the same bytes.
    expect(read(f, 'index.html')).toContain('Breaking &amp; new &lt;news&gt;');
    const full = await publish(f.config, f.state, { ...opts, full: true });
    expect(full.written).toEqual([]);
    expect(full.unchanged).toContain('index.html');
  });

  it('index.html stays complete after an upgrade from a ledger that kept no latest items', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const page = read(f, 'index.html');
    f.state.db.exec('UPDATE published_feeds SET latest = NULL');
    const front = channelOf(f.config, KEYS.front);
    await storeArticle(f.config, f.state, makeArticle(front, { title: 'After upgrade', date: '2024-03-12T00:00:00Z', link: 'https://front-page.example/up' }));
    await publish(f.config, f.state, opts);
    const after = read(f, 'index.html');
    expect(after).toContain('After upgrade');
    // Every other channel's entries are still listed (queried once, then kept in the ledger).
    for (const key of [KEYS.lwn, KEYS.woshipm]) {
      const section = (html: string) => html.slice(html.indexOf(`id="feed-${key.replaceAll('/', '--')}"`)).split('</section>')[0];
      expect(section(after)).toEqual(section(page));
    }
    // ...and kept from then on for the feeds the page lists: the channels and the merged feed.
    const unkept = f.state.db.prepare("SELECT key FROM published_feeds WHERE latest IS NULL AND key NOT LIKE '#%' ORDER BY key").pluck().all();
    expect(unkept).toEqual(['tech/lwn', 'xinmeiti', 'xinmeiti/woshipm']);
  });

  it('an edited old article rebuilds the feeds that show it, not the merged feed it already fell out of', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const before = snapshot(f.output);
    const old = f.articles.find((a) => a.channelKey === KEYS.lwn && a.title.startsWith('Plain headline'))!;
    const edited = makeArticle(channelOf(f.config, KEYS.lwn), { title: 'Plain headline, corrected', date: old.date, link: old.link, guid: old.guid, itemKey: old.itemKey });
    await storeArticle(f.config, f.state, edited);
    expect(await f.state.dirtyFeeds()).toEqual(['', 'tech', 'tech/lwn', KEYS.lwn]);
    const report = await publish(f.config, f.state, opts);
    expect(report.rebuilt).toEqual(['tech', 'tech/lwn', KEYS.lwn]);
    expect(changedFiles(before, snapshot(f.output))).toEqual(
      // index.html lists each channel's latest 5 items, the edited one among them.
      ['tech/', 'tech/lwn/', `${KEYS.lwn}/`].flatMap((d) => ['atom.xml', 'feed.json', 'rss.xml'].map((n) => `${d}${n}`)).concat('index.html').sort(),
    );
    expect(sfeedItems(read(f, `${KEYS.lwn}/rss.xml`)).map((i) => i.title)).toContain('Plain headline, corrected');
    expect(await f.state.dirtyFeeds()).toEqual([]);
  });

  it('a feed whose file was deleted is rebuilt, and only it', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const bytes = read(f, 'tech/lwn/atom.xml');
    unlinkSync(path.join(f.output, 'tech/lwn/atom.xml'));
    const report = await publish(f.config, f.state, opts);
    expect(report.rebuilt).toEqual(['tech/lwn']);
    expect(report.written).toEqual(['tech/lwn/atom.xml']);
    expect(read(f, 'tech/lwn/atom.xml')).toBe(bytes);
  });

  it('configuration changes rebuild the feeds they touch: a new channel, a new title', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const withChannel = CONFIG_YAML.replace(
      '            url: https://lwn.example/rss\n',
      '            url: https://lwn.example/rss\n          - name: Weekly\n            url: https://lwn.example/weekly\n',
    );
    const config2 = writeConfig(f.dir, withChannel);
    const before = snapshot(f.output);
    const r = await publish(config2, f.state, opts);
    expect(r.rebuilt).toEqual(['', 'tech', 'tech/lwn', 'tech/lwn/weekly']);
    expect(existsSync(path.join(f.output, 'tech/lwn/weekly/atom.xml'))).toBe(true);
    assertValidAtom(path.join(f.output, 'tech/lwn/weekly/atom.xml'));
    // Nothing new in the merged/group/source items: their bytes did not change, only the new feed and index files.
    expect(changedFiles(before, snapshot(f.output))).toEqual(
      ['index.html', 'index.opml', 'tech/lwn/weekly/atom.xml', 'tech/lwn/weekly/feed.json', 'tech/lwn/weekly/rss.xml'],
      // (categories.opml lists the groups only: the new channel leaves it as it was)
    );
    const config3 = writeConfig(f.dir, withChannel.replace('title: refeed', 'title: My feeds'));
    const r3 = await publish(config3, f.state, opts);
    expect(r3.rebuilt).toHaveLength(planFeeds(config3).length);
    expect(read(f, 'tech/hn/rss.xml')).toContain('<title>My feeds · Tech / Hacker News</title>');
  });

  it('feeds of a channel removed from the config are left alone, unlisted, and its articles leave the merged feeds', async () => {
    const f = await fresh();
    await publish(f.config, f.state, opts);
    const before = snapshot(f.output);
    const without = CONFIG_YAML.replace('          - name: Best\n            url: https://hn.example/best\n            limit: 2\n', '');
    const config2 = writeConfig(f.dir, without);
    // As every command does before it publishes.
    await syncChannels(config2, f.state, Date.now(), silentLogger);
    const r = await publish(config2, f.state, opts);
    expect(r.rebuilt).toEqual(['', 'tech', 'tech/hn']);
    const after = snapshot(f.output);
    for (const n of ['rss.xml', 'atom.xml', 'feed.json']) expect(after.get(`${KEYS.best}/${n}`)).toEqual(before.get(`${KEYS.best}/${n}`));
    expect(read(f, 'index.opml')).not.toContain('/best/');
    expect(read(f, 'index.html')).not.toContain('/best/');
    const bestLinks = f.articles.filter((a) => a.channelKey === KEYS.best).map((a) => a.link);
    for (const i of sfeedItems(read(f, 'rss.xml'))) expect(bestLinks).not.toContain(i.link);
    // New articles of the removed channel (e.g. from an old state) do not touch its files either.
    await storeArticle(config2, f.state, makeArticle(channelOf(f.config, KEYS.best), { title: 'late', date: '2024-04-01T00:00:00Z', link: 'https://best.example/late' }));
    await syncChannels(config2, f.state, Date.now(), silentLogger);
    const r2 = await publish(config2, f.state, opts);
    expect(r2.rebuilt).toEqual([]);
    expect(await f.state.dirtyFeeds()).toEqual([]);
  });
});

describe('publish: the reference article', () => {
  it('publishes the seed article file as written by hand: CJK title, no link, item key as guid (a urn), text excerpt', async () => {
    const f = await fresh();
    const rel = 'articles/xinmeiti/woshipm/seed-article.md';
    mkdirSync(path.join(f.output, 'articles/xinmeiti/woshipm'), { recursive: true });
    writeFileSync(path.join(f.output, rel), readFileSync(path.join(import.meta.dirname, '../fixtures/publish/seed-article.md')));
    // The channel's only article: it is dated 2022, the fixture's are newer.
    f.state.db.exec(`DELETE FROM entries WHERE g = 'xinmeiti'`);
    indexHandWritten(f, { path: rel, channelKey: KEYS.woshipm, itemKey: 'seed-identity', title: '产业互联网需要被正名' });
    const report = await publish(f.config, f.state, opts);
    expect(report.skipped).toEqual([]);
    const xml = read(f, `${KEYS.woshipm}/rss.xml`);
    const [first] = await rssParserItems(xml);
    expect(first).toMatchObject({ id: 'urn:refeed:id:seed-identity', title: '产业互联网需要被正名', link: undefined, author: '人人都是产品经理' });
    expect(first.categories).toEqual(['新媒体', '人人都是产品经理', '最新文章']);
    expect(first.enclosure).toBe('https://image.woshipm.com/wp-files/2022/07/mIErfHCdPvIQv0gsfMtE.jpg');
    // The front matter's date, as written (2022).
    expect(first.date).toBe(Date.parse('2022-07-30T00:00:00Z') / 1000);
    const json = jsonFeed11Schema.parse(JSON.parse(read(f, `${KEYS.woshipm}/feed.json`)));
    expect(json.items[0].summary).toMatch(/^编辑导读：产业互联网是基于互联网技术和生态/);
    expect(json.items[0].summary).not.toMatch(/赞赏|<|&lt;/);
    expect(Array.from(json.items[0].summary!).length).toBeLessThanOrEqual(240);
    expect(json.items[0].content_html).toContain('<h2 id="toc-1">一、产业互联网的主战场在于产业</h2>');
    assertValidAtom(path.join(f.output, KEYS.woshipm, 'atom.xml'));
  });
});

describe('publish: damaged input and output', () => {
  it('a deleted or hand-broken article file changes nothing published: the store is the truth', async () => {
    const f = await fresh();
    const front = planFeeds(f.config).find((s) => s.key === KEYS.front) as FeedSpec;
    const [newest, second] = expectedItems(front, f.articles);
    const pathOf = (a: typeof newest) => articlePath(a.slugs, idOf(a));
    unlinkSync(path.join(f.output, pathOf(newest)));
    writeFileSync(path.join(f.output, pathOf(second)), 'title: no front matter fences\n<div>oops</div>\n');
    const report = await publish(f.config, f.state, opts);
    expect(report.errors).toEqual([]);
    expect(report.skipped).toEqual([]);
    const titles = sfeedItems(read(f, `${KEYS.front}/rss.xml`)).map((i) => i.title);
    expect(titles.slice(0, 2)).toEqual([newest.title, second.title]);
    expect(titles).toHaveLength(5);
    assertValidAtom(path.join(f.output, 'atom.xml'));
  });

  it('a file that cannot be written is reported and its feed stays dirty for the next run', async () => {
    const f = await fresh();
    // A plain file where the Best channel's folder should be.
    mkdirSync(path.join(f.output, 'tech/hn'), { recursive: true });
    writeFileSync(path.join(f.output, KEYS.best), 'in the way');
    const report = await publish(f.config, f.state, opts);
    expect(report.errors.map((e) => e.path)).toEqual([`${KEYS.best}/rss.xml`, `${KEYS.best}/atom.xml`, `${KEYS.best}/feed.json`]);
    expect(existsSync(path.join(f.output, 'tech/hn/rss.xml'))).toBe(true);
    expect(await f.state.dirtyFeeds()).toEqual([KEYS.best]);
    rmSync(path.join(f.output, KEYS.best));
    const again = await publish(f.config, f.state, opts);
    expect(again.rebuilt).toEqual([KEYS.best]);
    expect(again.errors).toEqual([]);
    expect(await f.state.dirtyFeeds()).toEqual([]);
  });
});
