import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';

// Issue 20: nothing warned about a feed that regenerates its guids. Once its
// items come back under new guids, `refeed status` says so on its line.

let n = 0;
const feed = () =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>${Array.from(
    { length: 6 },
    (_, i) => `<item><title>Post ${i}</title><link>https://a.example/${i}</link><guid>urn:${n}:${i}</guid><description>body ${i}</description></item>`,
  ).join('')}</channel></rss>`;

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer((req, res) => {
    // calm.xml: the same guids every time.
    if (req.url === '/feed.xml') n++;
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(req.url === '/feed.xml' ? feed() : feed().replaceAll(/urn:\d+:/g, 'urn:calm:'));
  });
});
afterAll(async () => void (await upstream?.close()));

describe('refeed status on a channel whose guids churn', () => {
  it('shows the guid-churn warning; the fetch summary counts the items', async () => {
    const file = writeTempConfig(oneSourceYaml([`{ name: churny, url: "${upstream.url}/feed.xml" }`, `{ name: calm, url: "${upstream.url}/calm.xml" }`]), 'refeed-churn-');
    const first = await runRefeed(['once', '--all', '-c', file]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runRefeed(['once', '--all', '-c', file]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/g\/s\/churny\s+unchanged\s+new 0, updated 0, same content under new guids 6/);
    const status = await runRefeed(['status', '-c', file]);
    expect(status.code, status.stderr).toBe(0);
    const line = status.stdout.split('\n').find((l) => l.includes('churny'));
    expect(line).toMatch(/guid-churn: 6 of 6 items came back under new guids/);
    expect(status.stdout.split('\n').find((l) => l.includes('calm'))).not.toMatch(/guid-churn/);
  }, 60_000);
});
