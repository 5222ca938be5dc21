import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { runRefeed, startRefeed, REPO } from '../helpers/refeed-process.ts';
import { writeTempConfig } from '../helpers/config-file.ts';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

// Issue 22, feeds a reader can take whole: an OPML whose feeds share no item
// (and a second one, the categories), every group's feeds advertised, feed
// images, no language claimed by default, CORS, and 301 after a rename.

const rss = (name: string, n: number) => `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title><link>https://${name}.example/</link>
${Array.from({ length: n }, (_, i) => `<item><title>${name} ${i}</title><link>https://${name}.example/${i}</link><pubDate>Mon, 0${i + 1} Jan 2024 10:00:00 GMT</pubDate></item>`).join('\n')}
</channel></rss>`;

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer(routes({ '/a.xml': { body: rss('a', 3) }, '/b.xml': { body: rss('b', 2) }, '/c.xml': { body: rss('c', 4) }, '/d.xml': { body: rss('d', 1) } }));
});
afterAll(async () => {
  await upstream.close();
});

function yaml(opts: { site?: string; g1?: string; s1?: string; c1?: string } = {}): string {
  return `site: { url: "https://feeds.example/sub/", output: out, state: state.db${opts.site ?? ''} }
defaults: { allow_private: true }
groups:
  - name: One
    slug: ${opts.g1 ?? 'one'}
    sources:
      - name: Alpha
        slug: ${opts.s1 ?? 'alpha'}
        channels:
          - { name: A, slug: ${opts.c1 ?? 'a'}, url: "${upstream.url}/a.xml" }
          - { name: B, slug: b, url: "${upstream.url}/b.xml" }
      - name: Beta
        channels:
          - { name: C, url: "${upstream.url}/c.xml" }
  - name: Two
    sources:
      - name: Gamma
        channels:
          - { name: D, url: "${upstream.url}/d.xml" }
`;
}

/** The feed file a published URL under site.url is, read from the output folder. */
const fileOf = (config: string, url: string) => path.join(path.dirname(config), 'out', url.replace('https://feeds.example/sub/', ''));
const xmlUrls = (opml: string) => [...opml.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1]);
const itemLinks = (feed: string) => [...feed.matchAll(/<item>[\s\S]*?<link>([^<]+)<\/link>/g)].map((m) => m[1]);

describe('OPML files a reader can import whole', () => {
  let config: string;
  beforeAll(async () => {
    config = writeTempConfig(yaml({ site: ', icon: "https://feeds.example/icon.png"' }), 'refeed-whole-');
    const r = await runRefeed(['once', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
  });
  const read = (rel: string) => readFileSync(path.join(path.dirname(config), 'out', rel), 'utf8');

  for (const file of ['index.opml', 'categories.opml']) {
    it(`${file}: its feeds share no item, and together hold every article`, () => {
      const urls = xmlUrls(read(file));
      expect(urls.length).toBeGreaterThan(1);
      const seen = new Map<string, string>();
      for (const u of urls) {
        for (const link of itemLinks(readFileSync(fileOf(config, u), 'utf8'))) {
          expect(seen.get(link), `${link} in ${u} and ${seen.get(link)}`).toBeUndefined();
          seen.set(link, u);
        }
      }
      expect(seen.size).toBe(3 + 2 + 4 + 1);
      expect(new Set(itemLinks(read('rss.xml')))).toEqual(new Set(seen.keys()));
    });
  }

  it('index.opml lists the channels in group and source folders; categories.opml the groups', () => {
    expect(xmlUrls(read('index.opml'))).toEqual([
      'https://feeds.example/sub/one/alpha/a/rss.xml',
      'https://feeds.example/sub/one/alpha/b/rss.xml',
      'https://feeds.example/sub/one/beta/c/rss.xml',
      'https://feeds.example/sub/two/gamma/d/rss.xml',
    ]);
    expect(read('index.opml')).toMatch(/<outline text="One" title="One">\s*<outline text="Alpha" title="Alpha">/);
    expect(xmlUrls(read('categories.opml'))).toEqual(['https://feeds.example/sub/one/rss.xml', 'https://feeds.example/sub/two/rss.xml']);
  });

  it('index.html links both OPML files and advertises every group feed as alternate', () => {
    const html = read('index.html');
    expect(html).toContain('href="index.opml"');
    expect(html).toContain('href="categories.opml"');
    const head = html.slice(0, html.indexOf('</head>'));
    for (const g of ['one', 'two']) {
      for (const [type, file] of [['application/rss+xml', 'rss.xml'], ['application/atom+xml', 'atom.xml'], ['application/feed+json', 'feed.json']]) {
        expect(head).toMatch(new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}" title="[^"]+" href="https://feeds.example/sub/${g}/${file}"`));
      }
    }
  });

  it('every feed carries site.icon: RSS <image>, Atom <icon>/<logo>, JSON Feed icon/favicon', () => {
    for (const dir of ['', 'one/', 'one/alpha/a/']) {
      expect(read(`${dir}rss.xml`)).toMatch(/<image>\s*<url>https:\/\/feeds.example\/icon.png<\/url>\s*<title>[^<]+<\/title>\s*<link>[^<]+<\/link>\s*<\/image>/);
      const atom = read(`${dir}atom.xml`);
      expect(atom).toContain('<icon>https://feeds.example/icon.png</icon>');
      expect(atom).toContain('<logo>https://feeds.example/icon.png</logo>');
      const json = JSON.parse(read(`${dir}feed.json`)) as Record<string, unknown>;
      expect(json.icon).toBe('https://feeds.example/icon.png');
      expect(json.favicon).toBe('https://feeds.example/icon.png');
    }
  });

  it('claims no language unless site.language says one; the shipped configurations set none', () => {
    expect(read('rss.xml')).not.toContain('<language>');
    expect(read('atom.xml')).not.toContain('xml:lang');
    expect(JSON.parse(read('feed.json'))).not.toHaveProperty('language');
    expect(read('index.html')).not.toMatch(/<html lang=/);
    for (const shipped of ['config/refeed.yaml', 'deploy/refeed.yaml']) {
      expect(loadConfig(path.join(REPO, shipped)).site.language, shipped).toBe('');
    }
  });
});

describe('upgrading from a refeed without categories.opml', () => {
  it('the next publish writes categories.opml and rebuilds index.html with the group links', async () => {
    const config = writeTempConfig(yaml(), 'refeed-upgrade-');
    expect((await runRefeed(['once', '--config', config])).code).toBe(0);
    const out = path.join(path.dirname(config), 'out');
    // What an older refeed left: no categories.opml, an index.html advertising only the merged feeds.
    rmSync(path.join(out, 'categories.opml'));
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    writeFileSync(path.join(out, 'index.html'), html.replace(/<link rel="alternate"[^>]*href="https:\/\/feeds.example\/sub\/(one|two)\/[^>]*>\n?/g, ''));
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).not.toContain('/sub/one/rss.xml" ');
    expect((await runRefeed(['publish', '--config', config])).code).toBe(0);
    expect(existsSync(path.join(out, 'categories.opml'))).toBe(true);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toBe(html);
  });
});

describe('serving: CORS, and 301 after a rename', () => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  async function serve(config: string): Promise<string> {
    const p = startRefeed(['serve', '--config', config, '--port', '0']);
    cleanup.push(() => p.child.exitCode === null && p.child.kill('SIGKILL'));
    return (await p.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+\/)"/))[1];
  }

  it('feeds and OPML are served with Access-Control-Allow-Origin: *, and a preflight is answered', async () => {
    const config = writeTempConfig(yaml(), 'refeed-cors-');
    expect((await runRefeed(['once', '--config', config])).code).toBe(0);
    const base = await serve(config);
    for (const p of ['rss.xml', 'one/atom.xml', 'one/alpha/a/feed.json', 'index.opml', 'categories.opml']) {
      const r = await fetch(new URL(p, base));
      expect(r.status, p).toBe(200);
      expect(r.headers.get('access-control-allow-origin'), p).toBe('*');
      expect(r.headers.get('access-control-expose-headers'), p).toMatch(/ETag/);
    }
    const pre = await fetch(new URL('rss.xml', base), { method: 'OPTIONS', headers: { Origin: 'https://reader.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/i);
  });

  it('a renamed channel, source or group answers its old feed URLs with 301 to the new ones', async () => {
    const config = writeTempConfig(yaml(), 'refeed-moved-');
    expect((await runRefeed(['once', '--config', config])).code).toBe(0);
    // The channel's slug changes, then its group's: each old URL points at where the feed is now.
    writeFileSync(config, yaml({ c1: 'a-renamed' }));
    expect((await runRefeed(['once', '--config', config, '--all'])).code).toBe(0);
    writeFileSync(config, yaml({ c1: 'a-renamed', g1: 'uno' }));
    expect((await runRefeed(['once', '--config', config, '--all'])).code).toBe(0);
    const base = await serve(config);
    const moved: [string, string][] = [
      ['one/alpha/a/rss.xml', 'uno/alpha/a-renamed/rss.xml'],
      ['one/alpha/a-renamed/atom.xml', 'uno/alpha/a-renamed/atom.xml'],
      ['one/alpha/b/feed.json', 'uno/alpha/b/feed.json'],
      ['one/beta/rss.xml', 'uno/beta/rss.xml'],
      ['one/rss.xml', 'uno/rss.xml'],
    ];
    for (const [from, to] of moved) {
      const r = await fetch(new URL(from, base), { redirect: 'manual' });
      expect(r.status, from).toBe(301);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(new URL(r.headers.get('location')!, new URL(from, base)).href, from).toBe(new URL(to, base).href);
      const followed = await fetch(new URL(from, base));
      expect(followed.status, to).toBe(200);
      expect(followed.url).toBe(new URL(to, base).href);
    }
    expect(itemLinks(await (await fetch(new URL('one/alpha/a/rss.xml', base))).text())).toHaveLength(3);
    // Feeds that did not move are served as they are.
    expect((await fetch(new URL('two/gamma/d/rss.xml', base), { redirect: 'manual' })).status).toBe(200);
    // A group given back its old slug is published there again: no redirect any more.
    writeFileSync(config, yaml({ c1: 'a-renamed' }));
    expect((await runRefeed(['once', '--config', config, '--all'])).code).toBe(0);
    expect((await fetch(new URL('one/rss.xml', base), { redirect: 'manual' })).status).toBe(200);
    expect((await fetch(new URL('one/alpha/a/rss.xml', base), { redirect: 'manual' })).headers.get('location')).toBe('../../../one/alpha/a-renamed/rss.xml');
    expect((await fetch(new URL('uno/rss.xml', base), { redirect: 'manual' })).status).toBe(301);
  });
});

describe('where renamed feeds went', () => {
  it('adds channels and, when they agree, their source and group; collapses chains; forgets keys published again', async () => {
    const { mergeMovedFeeds, movedPath } = await import('../../src/core/moved-feeds.ts');
    const current = new Set(['g2', 'g2/s', 'g2/s/a', 'g2/s/b', 'h', 'h/t', 'h/t/c']);
    const first = mergeMovedFeeds(new Map(), [{ from: 'g/s/a', to: 'g2/s/a' }, { from: 'g/s/b', to: 'g2/s/b' }, { from: 'x/y/c', to: 'h/t/c' }, { from: 'x/z/d', to: 'h/u/d' }, { from: 'n/n/n', to: 'n/n/n' }, { from: 'q/s/a', to: 'r1/s/a' }, { from: 'q/s/b', to: 'r2/s/b' }], current);
    expect(Object.fromEntries(first)).toEqual({
      g: 'g2',
      'g/s': 'g2/s',
      'g/s/a': 'g2/s/a',
      'g/s/b': 'g2/s/b',
      'x/y': 'h/t',
      'x/y/c': 'h/t/c',
      'x/z': 'h/u',
      'x/z/d': 'h/u/d',
      x: 'h',
      'q/s/a': 'r1/s/a',
      'q/s/b': 'r2/s/b',
      // q's channels went to two groups: no redirect for q or q/s
    });
    const second = mergeMovedFeeds(first, [{ from: 'g2/s/a', to: 'g3/s/a' }], new Set([...current, 'g3', 'g3/s', 'g3/s/a'].filter((k) => k !== 'g2/s/a')));
    expect(second.get('g/s/a')).toBe('g3/s/a');
    expect(second.get('g2/s/a')).toBe('g3/s/a');
    const back = mergeMovedFeeds(second, [], new Set(['g', 'g/s', 'g/s/a']));
    expect(back.has('g')).toBe(false);
    expect(back.has('g/s/a')).toBe(false);
    const names = new Set(['rss.xml', 'atom.xml', 'feed.json']);
    expect(movedPath(second, ['g', 's', 'b', 'feed.json'], names)).toEqual(['g2', 's', 'b', 'feed.json']);
    expect(movedPath(second, ['g', 's', 'b', 'index.html'], names)).toBeUndefined();
    expect(movedPath(second, ['rss.xml'], names)).toBeUndefined();
  });
});
