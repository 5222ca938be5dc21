import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourcesCommand } from '../../src/cli/commands/sources.ts';
import { loadConfig, moveChannel, renameEntry } from '../../src/config/index.ts';
import type { EditResult } from '../../src/config/index.ts';
import { movedFeedsReader } from '../../src/serve/moved.ts';
import { rss } from '../hostile/feeds.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { item, makeSite, startUpstream, type Site, type Upstream } from '../integrity/site.ts';
import { runCommand } from './run-command.ts';

// What needs a server: `sources add` fetching the URL before it writes, and
// renames and moves carried through a fetch + publish with the stored
// articles and the feed URLs checked after. In SLOW_TESTS (loopback servers).

let server: TestServer;
let base: string;
const PAGE = (links: string) => `<!doctype html><html><head><title>Blog</title>${links}</head><body><p>Hello</p></body></html>`;

beforeAll(async () => {
  server = await startServer((req, res) =>
    routes({
      '/feed.xml': { body: rss('Loopback news', [item(1), item(2)]) },
      '/page.html': { body: PAGE(`<link rel="alternate" type="application/rss+xml" href="/feed.xml">`), type: 'text/html' },
      '/plain.html': { body: PAGE(''), type: 'text/html' },
    })(req, res),
  );
  base = server.url;
});
afterAll(async () => {
  await server?.close();
});

function configFile(text = 'groups: []\n'): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'refeed-check-')), 'refeed.yaml');
  writeFileSync(file, text);
  return file;
}

const add = (file: string, url: string, ...flags: string[]) => runCommand(sourcesCommand, ['add', '-c', file, '--group', 'G', '--source', 'S', '--channel', 'C', ...flags, url]);

describe('sources add checks that the URL is a feed', () => {
  it('refuses a loopback address unless --allow-private, which it writes on the channel', async () => {
    const file = configFile();
    const refused = await add(file, `${base}/feed.xml`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is a loopback address; to add a feed on a loopback or private address, add --allow-private \(it writes allow_private: true on the channel\)/);
    expect(readFileSync(file, 'utf8')).toBe('groups: []\n');
    const ok = await add(file, `${base}/feed.xml`, '--allow-private');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`checked: ${base}/feed.xml is an RSS feed ("Loopback news") with 2 items`);
    expect(readFileSync(file, 'utf8')).toBe(`groups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n          - name: C\n            url: ${base}/feed.xml\n            allow_private: true\n`);
  });

  it('refuses a 404, an HTML page (naming the feeds it links and refeed discover) and a page with none; the file untouched', async () => {
    const text = 'defaults:\n  allow_private: true   # a test on loopback\ngroups: []\n';
    const file = configFile(text);
    const cases: [string, RegExp][] = [
      [`${base}/missing.xml`, /did not answer with a feed: .*404/],
      [`${base}/page.html`, new RegExp(`is an HTML page, not a feed; it links to ${base}/feed.xml: add one of those, or list them with: refeed discover ${base}/page.html`)],
      [`${base}/plain.html`, /not a feed: this is an HTML page, and it advertises no feed.*refeed discover/],
    ];
    for (const [url, why] of cases) {
      const r = await add(file, url);
      expect(r.code, url).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toMatch(/--no-check adds it unchecked; .* not changed/);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
    // Inherited allow_private reaches the loopback feed without the flag, and none is written on the channel.
    const ok = await add(file, `${base}/feed.xml`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('            allow_private');
    // --no-check adds what the check would refuse.
    const unchecked = await runCommand(sourcesCommand, ['add', '--no-check', '-c', file, '--group', 'G', '--source', 'S', '--channel', 'Gone', `${base}/missing.xml`]);
    expect(unchecked.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain(`url: ${base}/missing.xml`);
  });
});

describe('renames and moves keep the stored articles and the feed URLs', () => {
  let up: Upstream;
  let site: Site;
  beforeAll(async () => {
    up = await startUpstream();
  });
  afterAll(async () => {
    await site?.close();
    await up?.close();
  });

  const edit = (fn: (text: string) => EditResult) => {
    writeFileSync(site.file, fn(readFileSync(site.file, 'utf8')).text);
    site.config = loadConfig(site.file);
  };
  const stored = async (key: string) => (await site.store.topArticles(key, 100)).map((a) => a.title).sort();

  it('rename (slug kept), rename --move-feeds (301 from the old URLs) and move (history carried, no duplicate)', async () => {
    up.feeds.set('a', [item(1), item(2), item(3)]);
    up.feeds.set('b', [item(11)]);
    site = makeSite([
      { group: 'Sport', source: 'Papers', channel: 'Front', url: up.url('a') },
      { group: 'Sport', source: 'Blogs', channel: 'Other', url: up.url('b') },
    ]);
    await site.cycle();
    const all = ['Item 1', 'Item 2', 'Item 3'];
    expect(await stored('sport/papers/front')).toEqual(all);
    expect(await site.store.countArticles()).toBe(4);

    // A new name, the same identity: same key, same feed folder, nothing moved.
    edit((t) => renameEntry(t, site.file, { group: 'Sport', source: 'Papers', channel: 'Front' }, 'Front page'));
    expect(site.config.channels[0]).toMatchObject({ key: 'sport/papers/front', channel: { name: 'Front page' } });
    const reports = await site.cycle();
    expect(reports.find((r) => r.key === 'sport/papers/front')?.status).toBe('unchanged');
    expect(await stored('sport/papers/front')).toEqual(all);
    expect(site.links('sport/papers/front')).toHaveLength(3);

    // The slug follows the new group name: the history moves, the old URLs redirect.
    edit((t) => renameEntry(t, site.file, { group: 'Sport' }, 'Football', { moveFeeds: true }));
    await site.cycle();
    expect(await stored('football/papers/front')).toEqual(all);
    expect(await stored('sport/papers/front')).toEqual([]);
    expect(await site.store.countArticles()).toBe(4);
    expect(site.links('football/papers/front')).toHaveLength(3);
    const moved = movedFeedsReader(site.config.site.output);
    expect(await moved(['sport', 'papers', 'front', 'rss.xml'])).toEqual(['football', 'papers', 'front', 'rss.xml']);
    expect(await moved(['sport', 'atom.xml'])).toEqual(['football', 'atom.xml']);

    // A move: found again by its URL, its articles carried over, nothing fetched as new.
    edit((t) => moveChannel(t, site.file, { url: up.url('a') }, { group: 'Football', source: 'Blogs' }));
    const after = await site.cycle();
    // Known items (their front matter rewritten with the new source name), none new.
    expect(after.find((r) => r.key === 'football/blogs/front')?.status).toBe('updated');
    expect(await stored('football/blogs/front')).toEqual(all);
    expect(await site.store.countArticles()).toBe(4);
    expect(site.links('football/blogs/front')).toHaveLength(3);
    expect(await moved(['football', 'papers', 'front', 'rss.xml'])).toEqual(['football', 'blogs', 'front', 'rss.xml']);
    expect(await moved(['sport', 'papers', 'front', 'rss.xml'])).toEqual(['football', 'blogs', 'front', 'rss.xml']);
  });
});

describe('the built CLI', () => {
  it('sources set --dry-run prints the diff on stdout and writes nothing', async () => {
    const text = 'groups:\n  - name: G   # the only group\n    sources:\n      - name: S\n        channels:\n          - name: C\n            url: https://c.example/feed\n';
    const file = configFile(text);
    const r = await runRefeed(['sources', 'set', '-c', file, '--group', 'G', 'include', '[Porto, Benfica]', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `--- ${file}\tbefore\n+++ ${file}\tafter\n@@ -1,5 +1,6 @@\n groups:\n   - name: G   # the only group\n+    include: [ Porto, Benfica ]\n     sources:\n       - name: S\n         channels:\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
