import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Issue 22: a channel feed carries its source feed's own image (RSS <image>,
// itunes:image, Atom <icon>/<logo>, JSON Feed icon/favicon), falling back to
// site.icon; the merged, group and source feeds carry site.icon.

const feeds: Record<string, string> = {};
const rss = (name: string, image: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title><link>https://${name}.example/</link>${image}
<item><title>${name} 1</title><link>https://${name}.example/1</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item></channel></rss>`;
const atom = (icon: string) => `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>C</title><id>urn:c</id><updated>2024-01-02T00:00:00Z</updated>${icon}
<entry><id>urn:c1</id><title>c 1</title><link href="https://c.example/1"/><updated>2024-01-02T00:00:00Z</updated></entry></feed>`;

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer((req, res) => {
    const body = feeds[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/xml' });
    res.end(body ?? '');
  });
});
afterAll(async () => {
  await upstream.close();
});

const yaml = (site: string) =>
  oneSourceYaml(
    ['A', 'B', 'C'].map((n) => `{ name: ${n}, url: "${upstream.url}/${n.toLowerCase()}.xml" }`),
    '',
    { more: `url: "https://feeds.example/"${site}` },
  );

/** The image each format of a published feed names: RSS <image><url>, Atom <icon>/<logo>, JSON Feed icon/favicon. */
function images(config: string, dir: string): { rss?: string; icon?: string; logo?: string; json?: string; favicon?: string } {
  const read = (f: string) => readFileSync(path.join(path.dirname(config), 'out', dir, f), 'utf8');
  const json = JSON.parse(read('feed.json')) as { icon?: string; favicon?: string };
  const atomText = read('atom.xml');
  return {
    rss: /<image>\s*<url>([^<]+)<\/url>/.exec(read('rss.xml'))?.[1],
    icon: /<icon>([^<]+)<\/icon>/.exec(atomText)?.[1],
    logo: /<logo>([^<]+)<\/logo>/.exec(atomText)?.[1],
    json: json.icon,
    favicon: json.favicon,
  };
}
const all = (url: string) => ({ rss: url, icon: url, logo: url, json: url, favicon: url });
const none = { rss: undefined, icon: undefined, logo: undefined, json: undefined, favicon: undefined };

describe('channel feeds use the source feed\'s own image', () => {
  it('source image for channel feeds, site.icon for the others and for channels without one; a changed image republishes the feed', async () => {
    feeds['/a.xml'] = rss('a', '<image><url>/logo-a.png</url><title>a</title><link>https://a.example/</link></image>');
    feeds['/b.xml'] = rss('b', '');
    feeds['/c.xml'] = atom('<logo>https://c.example/logo.png</logo>');
    const config = writeTempConfig(yaml(', icon: "https://feeds.example/icon.png"'), 'refeed-chimg-');
    const r = await runRefeed(['once', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    // Relative in the source: resolved against the feed's URL.
    expect(images(config, 'g/s/a/')).toEqual(all(`${upstream.url}/logo-a.png`));
    expect(images(config, 'g/s/c/')).toEqual(all('https://c.example/logo.png'));
    expect(images(config, 'g/s/b/')).toEqual(all('https://feeds.example/icon.png'));
    for (const dir of ['', 'g/', 'g/s/']) expect(images(config, dir)).toEqual(all('https://feeds.example/icon.png'));

    // The source changes its image and nothing else: the channel feed follows, though no item changed.
    feeds['/a.xml'] = rss('a', '<image><url>https://cdn.example/a2.png</url></image>');
    const again = await runRefeed(['once', '--all', '--config', config]);
    expect(again.code, again.stderr).toBe(0);
    expect(images(config, 'g/s/a/')).toEqual(all('https://cdn.example/a2.png'));
    // The source drops it: site.icon again.
    feeds['/a.xml'] = rss('a', '');
    expect((await runRefeed(['once', '--all', '--config', config])).code).toBe(0);
    expect(images(config, 'g/s/a/')).toEqual(all('https://feeds.example/icon.png'));
  });

  it('without site.icon only the channel feeds whose source has an image carry one', async () => {
    feeds['/a.xml'] = rss('a', '<image><url>https://a.example/logo.png</url></image>');
    feeds['/b.xml'] = rss('b', '');
    feeds['/c.xml'] = atom('<icon>https://c.example/icon.png</icon>');
    const config = writeTempConfig(yaml(''), 'refeed-chimg-');
    const r = await runRefeed(['once', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(images(config, 'g/s/a/')).toEqual(all('https://a.example/logo.png'));
    expect(images(config, 'g/s/c/')).toEqual(all('https://c.example/icon.png'));
    for (const dir of ['', 'g/', 'g/s/', 'g/s/b/']) expect(images(config, dir)).toEqual(none);
  });
});
