import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { readTree } from '../helpers/output-tree.ts';

// Issue 21, as an editor does it: `refeed once`, then a rewrite added to the
// file, then `refeed publish` (no fetch): the article file and the feeds
// carry the rewrite; removed again, they are as before. `preview` shows it.

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<item><title>Sponsored: Widgets</title><link>https://a.example/w</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description><![CDATA[<p>Widget story.</p><aside class="promo">Buy now</aside><img src="https://medium.com/_/stat?event=post.clientViewed" width="1" height="1">]]></description></item>
</channel></rss>`;

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED));
});
afterAll(async () => {
  await upstream.close();
});

function outputFiles(config: string): Map<string, string> {
  const out = readTree(path.join(path.dirname(config), 'out'));
  // index.html says when it was last updated (the wall clock): not compared.
  out.delete('index.html');
  return out;
}

describe('rewrites from the command line', () => {
  it('a rewrite added to the file reaches the published article and feeds at the next publish; removed, they are restored', async () => {
    const channel = `{ name: C, url: "${upstream.url}/feed.xml" }`;
    const plain = oneSourceYaml([channel]);
    const ruled = oneSourceYaml([channel], `rewrite: [ { replace title: "^Sponsored:\\\\s*", with: "" }, { remove: "aside.promo" }, { suffix title: " [ad]" } ], fallback_image: "https://img.example/ph-{n}.png"`);
    const config = writeTempConfig(plain, 'refeed-rewrites-cli-');
    const once = await runRefeed(['once', '--config', config]);
    expect(once.code, once.stderr).toBe(0);
    const before = outputFiles(config);
    const article = [...before.keys()].find((k) => k.startsWith('articles/'))!;
    expect(before.get(article)).toContain('Buy now');
    // The tracking pixel is gone by default.
    expect(before.get(article)).not.toContain('medium.com');
    expect(before.get('g/s/c/rss.xml')).toContain('Sponsored: Widgets');
    // Its only image was the pixel: the site's placeholder is its headimg.
    expect(before.get(article)).toMatch(/headimg: '?https:\/\/picsum\.photos\//);

    writeFileSync(config, ruled);
    const preview = await runRefeed(['preview', `${upstream.url}/feed.xml`, '--config', config]);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('Widgets [ad]');

    const publish = await runRefeed(['publish', '--config', config]);
    expect(publish.code, publish.stderr).toBe(0);
    const after = outputFiles(config);
    expect(after.get(article)).toMatch(/title: '?Widgets \[ad\]/);
    expect(after.get(article)).not.toContain('Buy now');
    // The channel's fallback image now, applied to the stored article too.
    expect(after.get(article)).toMatch(/headimg: '?https:\/\/img\.example\/ph-\d+\.png#refeed-fallback/);
    for (const feed of ['g/s/c/rss.xml', 'g/s/c/atom.xml', 'g/s/c/feed.json', 'rss.xml']) {
      expect(after.get(feed), feed).toContain('Widgets [ad]');
      expect(after.get(feed), feed).not.toContain('Sponsored');
      expect(after.get(feed), feed).not.toContain('Buy now');
    }

    writeFileSync(config, plain);
    expect((await runRefeed(['publish', '--config', config])).code).toBe(0);
    expect(outputFiles(config)).toEqual(before);
  });
});
