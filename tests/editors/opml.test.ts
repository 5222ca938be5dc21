import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { xml2js, type Element as XmlElement } from 'xml-js';
import { describe, expect, it } from 'vitest';
import { addChannels, decodeOpml, exportOpml, OpmlError, parseConfig, parseOpml, planImport } from '../../src/config/index.ts';
import { opmlCommand } from '../../src/cli/commands/opml.ts';
import { runCommand } from './run-command.ts';

const FIX = path.join(import.meta.dirname, '../fixtures/editors');
const fixture = (name: string) => decodeOpml(readFileSync(path.join(FIX, name)));
const triples = (name: string, group?: string) =>
  planImport(parseOpml(fixture(name)), { group }).entries.map((e) => [e.group, e.source, e.channel, e.url]);

describe('OPML import mapping, per reader export', () => {
  it('Feedly: folder → group, each feed a source with one channel', () => {
    expect(triples('feedly.opml')).toEqual([
      ['Tech', 'The Verge - All Posts', 'The Verge - All Posts', 'https://www.theverge.com/rss/index.xml'],
      ['Tech', 'Ars Technica', 'Ars Technica', 'https://feeds.arstechnica.com/arstechnica/index'],
      ['设计', '优设网', '优设网', 'https://www.uisdc.com/feed'],
    ]);
  });

  it('Inoreader: entities decoded, a feed outside folders goes to "Imported" or --group', () => {
    expect(triples('inoreader.xml')).toEqual([
      ['News', 'BBC News - World', 'BBC News - World', 'http://feeds.bbci.co.uk/news/world/rss.xml'],
      ['News', 'Search "rust" & more', 'Search "rust" & more', 'https://example.com/search.rss?q=rust&sort=new'],
      ['Imported', 'Hacker News', 'Hacker News', 'https://news.ycombinator.com/rss'],
    ]);
    expect(triples('inoreader.xml', 'Misc').at(-1)).toEqual(['Misc', 'Hacker News', 'Hacker News', 'https://news.ycombinator.com/rss']);
  });

  it('NetNewsWire: text-only folders, a feed listed twice, an empty folder', () => {
    const plan = planImport(parseOpml(fixture('netnewswire.opml')));
    expect(plan.entries.map((e) => [e.group, e.source, e.channel, e.url])).toEqual([
      ['Imported', 'Daring Fireball', 'Daring Fireball', 'https://daringfireball.net/feeds/main'],
      ['Apple', 'Six Colors', 'Six Colors', 'https://sixcolors.com/feed/'],
      ['Apple', 'JSON Feed Blog', 'JSON Feed Blog', 'https://www.jsonfeed.org/feed.json'],
    ]);
    expect(plan.skipped).toEqual([{ name: 'Six Colors', url: 'https://sixcolors.com/feed/', reason: 'listed twice in the OPML file' }]);
    expect(plan.notes).toEqual(['empty folder "Empty folder" ignored']);
  });

  it('Miniflux: OPML 2.0 without type attributes', () => {
    expect(triples('miniflux.opml')).toEqual([
      ['All', 'Miniflux', 'Miniflux', 'https://miniflux.app/feed.xml'],
      ['All', 'LWN.net', 'LWN.net', 'https://lwn.net/headlines/rss'],
      ['Blogs', 'Julia Evans', 'Julia Evans', 'https://jvns.ca/atom.xml'],
    ]);
  });

  it('FreshRSS: namespaced extra attributes, type="atom", a link outline skipped', () => {
    const plan = planImport(parseOpml(fixture('freshrss.opml.xml')));
    expect(plan.entries.map((e) => [e.group, e.source, e.url])).toEqual([
      ['Uncategorized', 'FreshRSS releases', 'https://github.com/FreshRSS/FreshRSS/releases.atom'],
      ['Dev', 'Node.js Blog', 'https://nodejs.org/en/feed/blog.xml'],
      ['Dev', 'Deno', 'https://deno.com/feed'],
    ]);
    expect(plan.skipped).toEqual([{ name: 'An old link', url: 'https://example.org/bookmark', reason: 'not a feed (no xmlUrl, type "link")' }]);
  });

  it('title-only outlines, deep nesting flattened, nameless feeds, lowercase xmlurl, a bare &', () => {
    const plan = planImport(parseOpml(fixture('nested-title-only.opml')));
    expect(plan.entries.map((e) => [e.group, e.source, e.channel, e.url])).toEqual([
      ['Reading', 'Newspapers', 'The Guardian', 'https://www.theguardian.com/world/rss'],
      ['Reading', 'Newspapers', 'Le Monde', 'https://www.lemonde.fr/rss/une.xml'],
      ['Reading', 'Regional', 'Ouest-France', 'https://www.ouest-france.fr/rss/une'],
      ['Imported', 'blog.example.net', 'blog.example.net', 'https://blog.example.net/index.xml'],
      ['Imported', 'Broken', 'Broken', 'feed://example.org/rss'],
      ['Imported', 'Bare ampersand', 'Bare ampersand', 'https://example.org/rss?a=1&b=2'],
    ]);
    expect(plan.notes).toEqual(['"Ouest-France": folders "Reading" › "Newspapers" › "Regional" flattened to group "Reading", source "Regional"']);
  });

  it('decodes a declared legacy encoding', () => {
    expect(triples('latin1.opml')).toEqual([['Imported', 'Café Babel', 'Café Babel', 'https://cafebabel.example/rss']]);
  });

  it('same name twice in one source gets a numbered channel', () => {
    const xml = `<opml version="2.0"><body><outline text="G"><outline text="S">
      <outline text="Feed" xmlUrl="https://a.example/1"/><outline text="Feed" xmlUrl="https://a.example/2"/></outline></outline></body></opml>`;
    expect(planImport(parseOpml(xml)).entries.map((e) => e.channel)).toEqual(['Feed', 'Feed (2)']);
  });

  it('rejects files that are not OPML', () => {
    expect(() => parseOpml('<rss version="2.0"><channel/></rss>')).toThrow(new OpmlError('not an OPML file: no <opml> element'));
    expect(() => parseOpml('<opml version="2.0"><head/></opml>')).toThrow(/no <body>/);
    expect(() => parseOpml('just text')).toThrow(OpmlError);
  });
});

describe('OPML export', () => {
  const config = parseConfig(readFileSync(path.join(FIX, 'commented.yaml'), 'utf8'), '/tmp/x/refeed.yaml');

  it('is well-formed OPML 2.0: group folders › source folders › one outline per channel', () => {
    const xml = exportOpml(config, { now: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
    // A strict (sax) parse: any escaping slip would throw here.
    const doc = xml2js(xml, { compact: false }) as XmlElement;
    const opml = doc.elements!.find((e) => e.name === 'opml')!;
    expect(opml.attributes).toMatchObject({ version: '2.0' });
    const head = opml.elements!.find((e) => e.name === 'head')!;
    expect(head.elements!.map((e) => [e.name, e.elements![0].text])).toEqual([
      ['title', 'Reading list sources'],
      ['dateCreated', 'Tue, 02 Jan 2024 03:04:05 GMT'],
    ]);
    const body = opml.elements!.find((e) => e.name === 'body')!;
    const tree = body.elements!.map((g) => ({
      group: g.attributes,
      sources: g.elements!.map((s) => ({ source: s.attributes, channels: s.elements!.map((c) => c.attributes) })),
    }));
    expect(tree).toEqual([
      {
        group: { text: '新媒体', title: '新媒体', 'refeed:slug': 'xinmeiti' },
        sources: [
          {
            source: { text: '人人都是产品经理', title: '人人都是产品经理', 'refeed:slug': 'woshipm' },
            channels: [{ type: 'rss', text: '最新文章', title: '最新文章', xmlUrl: 'https://www.woshipm.com/feed', 'refeed:slug': 'latest' }],
          },
        ],
      },
      {
        group: { text: 'Tech', title: 'Tech' },
        sources: [
          {
            source: { text: 'Hacker News', title: 'Hacker News' },
            channels: [
              { type: 'rss', text: 'Front page', title: 'Front page', xmlUrl: 'https://hnrss.org/frontpage' },
              { type: 'rss', text: 'Ask HN', title: 'Ask HN', xmlUrl: 'https://hnrss.org/ask' },
            ],
          },
          { source: { text: 'LWN.net', title: 'LWN.net' }, channels: [{ type: 'rss', text: 'Headlines', title: 'Headlines', xmlUrl: 'https://lwn.net/headlines/rss' }] },
        ],
      },
    ]);
  });

  it('escapes every special character in names and URLs', () => {
    const text = `groups:
  - name: 'A & B <"quoted">'
    sources:
      - name: "Tab\\there"
        channels:
          - name: "line\\nbreak & <x>"
            url: "https://example.org/rss?a=1&b=<2>&c=\\"3\\""
`;
    const c = parseConfig(text, '/tmp/x/refeed.yaml');
    const xml = exportOpml(c);
    expect(() => xml2js(xml)).not.toThrow();
    const back = planImport(parseOpml(xml)).entries[0];
    expect(back.group).toBe('A & B <"quoted">');
    expect(back.url).toBe('https://example.org/rss?a=1&b=<2>&c="3"');
    // Attribute whitespace is normalized on the way back in (as XML readers do).
    expect(back.source).toBe('Tab here');
    expect(back.channel).toBe('line break & <x>');
  });

  it('export → import into an empty config reproduces the same tree, slugs included', () => {
    const plan = planImport(parseOpml(exportOpml(config)));
    expect(plan.skipped).toEqual([]);
    const r = addChannels('', '/tmp/x/refeed.yaml', plan.entries);
    expect(r.skipped).toEqual([]);
    const again = parseConfig(r.text, '/tmp/x/refeed.yaml');
    const shape = (c: typeof config) => c.channels.map((ch) => [ch.key, ch.group.name, ch.source.name, ch.channel.name, ch.url]);
    expect(shape(again)).toEqual(shape(config));
    // Importing the same export again adds nothing.
    const twice = addChannels(r.text, '/tmp/x/refeed.yaml', plan.entries);
    expect(twice.added).toEqual([]);
    expect(twice.text).toBe(r.text);
  });
});

describe('refeed opml (command)', () => {
  function workCopy(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'refeed-opml-'));
    const file = path.join(dir, 'refeed.yaml');
    cpSync(path.join(FIX, 'commented.yaml'), file);
    return file;
  }

  it('import merges into the config, skipping URLs already there, and keeps the file as written', async () => {
    const file = workCopy();
    const original = readFileSync(file, 'utf8');
    const r = await runCommand(opmlCommand, ['import', '-c', file, path.join(FIX, 'miniflux.opml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('skipped All / LWN.net / LWN.net: https://lwn.net/headlines/rss is already configured as Tech / LWN.net / Headlines');
    expect(r.stderr).toContain('added All / Miniflux / Miniflux (https://miniflux.app/feed.xml)');
    expect(r.stderr).toContain(`imported 2 of 3 feeds, 1 skipped; wrote ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(original.replace('# trailing comment at the end of the file\n', ''))).toBe(true);
    expect(text.endsWith('# trailing comment at the end of the file\n')).toBe(true);
    const c = parseConfig(text, file);
    expect(c.groups.map((g) => g.name)).toEqual(['新媒体', 'Tech', 'All', 'Blogs']);
    expect(c.channels.filter((ch) => ch.group.name !== 'Tech' && ch.group.name !== '新媒体').map((ch) => ch.url)).toEqual([
      'https://miniflux.app/feed.xml',
      'https://jvns.ca/atom.xml',
    ]);
  });

  it('--dry-run reports everything and writes nothing; bad feeds are reported, not fatal', async () => {
    const file = workCopy();
    const original = readFileSync(file, 'utf8');
    const r = await runCommand(opmlCommand, ['import', '--dry-run', '--group', 'Inbox', '-c', file, path.join(FIX, 'nested-title-only.opml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('would add Inbox / blog.example.net / blog.example.net (https://blog.example.net/index.xml)');
    expect(r.stderr).toContain('skipped Inbox / Broken / Broken: invalid URL "feed://example.org/rss": must be an absolute http(s) URL');
    expect(r.stderr).toContain(`dry run: would add 5 of 6 feeds, 1 skipped; ${file} not changed`);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('import of something that is not OPML exits 1, the config untouched', async () => {
    const file = workCopy();
    const original = readFileSync(file, 'utf8');
    const bogus = path.join(path.dirname(file), 'feed.xml');
    writeFileSync(bogus, '<rss version="2.0"><channel><title>x</title></channel></rss>');
    const r = await runCommand(opmlCommand, ['import', '-c', file, bogus]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`refeed opml import: ${bogus}: not an OPML file: no <opml> element\n`);
    const missing = await runCommand(opmlCommand, ['import', '-c', file, path.join(path.dirname(file), 'nope.opml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('export prints OPML on stdout only; a bad config exits 2', async () => {
    const file = workCopy();
    const r = await runCommand(opmlCommand, ['export', '-c', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(planImport(parseOpml(r.stdout)).entries.map((e) => e.url)).toEqual(parseConfig(readFileSync(file, 'utf8'), file).channels.map((c) => c.url));
    writeFileSync(file, 'groups: [ {name: x, sources: 3} ]\n');
    const bad = await runCommand(opmlCommand, ['export', '-c', file]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/line 1 groups\[0\]\.sources/);
  });
});
