import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureMatches } from '../../src/ingest/websub.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { freePort } from '../helpers/servers.ts';
import { hubFeed, startTestHub, type SubscribeRequest } from '../helpers/websub-hub.ts';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { writeTempConfig } from '../helpers/config-file.ts';

// Issue 22, WebSub subscriber: refeed run subscribes at the hub a source
// names, answers the hub's verification, takes signed pushes into the same
// ingest path at once, refuses bad ones (counted), and renews short leases.
// The hub is a small one started here.

let upstream: TestServer;
let hub: TestServer;
let subscriptions: SubscribeRequest[] = [];
let grantLeaseSeconds = 2;

const feed = (items: number[]) => hubFeed(`${hub.url}/hub`, `${upstream.url}/feed.xml`, items);

beforeAll(async () => {
  ({ server: hub, subscriptions } = await startTestHub(() => grantLeaseSeconds));
  upstream = await startServer((req, res) => {
    if (req.url !== '/feed.xml') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed([1]));
  });
});
afterAll(async () => {
  await upstream.close();
  await hub.close();
});

const yaml = (port: number, channels = `          - { name: C, url: "${upstream.url}/feed.xml", max_bytes: 4KB }`) => `site: { url: "http://127.0.0.1:${port}/", output: out, state: state.db, websub: { subscribe: true } }
defaults: { allow_private: true, schedule: "0 0 1 1 *" }
groups:
  - name: G
    sources:
      - name: S
        channels:
${channels}
`;

const sign = (alg: string, secret: string, body: string) => `${alg}=${createHmac(alg, secret).update(body).digest('hex')}`;

describe('refeed run as a WebSub subscriber', () => {
  let p: RefeedProcess;
  let base: string;
  let config: string;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    config = writeTempConfig(yaml(port), 'refeed-websub-sub-');
    p = startRefeed(['run', '--config', config, '--port', String(port)]);
    await p.waitFor(/serving http/);
    base = `http://127.0.0.1:${port}/`;
  });
  afterAll(async () => {
    if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await p.exited;
  });

  const push = (path: string, body: string, signature?: string) =>
    fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/rss+xml', ...(signature ? { 'x-hub-signature': signature } : {}) }, body });
  const metric = async (outcome: string) => Number(new RegExp(`^refeed_websub_pushes_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(await (await fetch(new URL('metrics', base))).text())?.[1] ?? 0);

  it('subscribes at the hub the feed names, with a callback on its own server and a secret, and answers the verification', async () => {
    await eventually(() => subscriptions[0]?.verified, 15_000, 'a verified subscription');
    const sub = subscriptions[0];
    expect(sub.topic).toBe(`${upstream.url}/feed.xml`);
    expect(sub.callback).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/websub/\\d+$`));
    expect(sub.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(sub.lease)).toBeGreaterThan(0);
    // A verification for a topic it did not ask for is refused.
    const wrong = new URL(sub.callback);
    wrong.search = 'hub.mode=subscribe&hub.topic=https%3A%2F%2Fother.example%2F&hub.challenge=x';
    expect((await fetch(wrong)).status).toBe(404);
  });

  it('a signed push (sha256, then sha1) is ingested within a second, then published', async () => {
    const sub = subscriptions[0];
    const body = feed([1, 2]);
    const sent = Date.now();
    const r = await push(new URL(sub.callback).pathname, body, sign('sha256', sub.secret, body));
    expect(r.status).toBe(202);
    await p.waitFor(/"channel":"g\/s\/c"[^\n]*"new":1[^\n]*"msg":"new"/, 5000);
    expect(Date.now() - sent).toBeLessThan(1000);
    await eventually(async () => (await (await fetch(new URL('g/s/c/rss.xml', base))).text()).includes('https://src.example/2'), 10_000, 'the pushed item in the feed');

    const body3 = feed([1, 2, 3]);
    expect((await push(new URL(sub.callback).pathname, body3, sign('sha1', sub.secret, body3))).status).toBe(202);
    await eventually(async () => (await (await fetch(new URL('g/s/c/rss.xml', base))).text()).includes('https://src.example/3'), 10_000, 'the sha1-signed item in the feed');
    expect(await metric('ok')).toBe(2);
  });

  it('a bad or missing signature, an unknown callback and an oversize push are refused and counted', async () => {
    const sub = subscriptions[0];
    const path = new URL(sub.callback).pathname;
    const evil = feed([1, 2, 3, 66]);
    expect((await push(path, evil, sign('sha256', 'not-the-secret', evil))).status).toBe(202);
    expect((await push(path, evil)).status).toBe(202);
    expect((await push('/websub/999999', evil, sign('sha256', sub.secret, evil))).status).toBe(410);
    const big = feed([1, 2, 3, ...Array.from({ length: 60 }, (_, i) => 100 + i)]);
    expect(big.length).toBeGreaterThan(4096);
    expect((await push(path, big, sign('sha256', sub.secret, big))).status).toBe(413);
    expect(await metric('bad-signature')).toBe(2);
    expect(await metric('unknown')).toBe(1);
    expect(await metric('too-large')).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    const rss = await (await fetch(new URL('g/s/c/rss.xml', base))).text();
    expect(rss).not.toContain('https://src.example/66');
    expect(rss).not.toContain('https://src.example/100');
  });

  it('renews a short lease before it ends, keeping its secret, and the renewed subscription still takes pushes', async () => {
    const first = subscriptions[0];
    await eventually(() => subscriptions.length >= 3 && subscriptions.slice(1).every((s) => s.verified), 15_000, 'two renewals of a 2 s lease');
    for (const s of subscriptions.slice(1)) {
      expect(s).toMatchObject({ callback: first.callback, topic: first.topic, secret: first.secret });
    }
    const body = feed([1, 2, 3, 4]);
    expect((await push(new URL(first.callback).pathname, body, sign('sha256', first.secret, body))).status).toBe(202);
    await eventually(async () => (await (await fetch(new URL('g/s/c/rss.xml', base))).text()).includes('https://src.example/4'), 10_000, 'a push after renewal');
  });

  it('a push for a channel removed from the configuration is refused (410) and counted', async () => {
    grantLeaseSeconds = 3600;
    const sub = subscriptions[0];
    writeFileSync(config, yaml(port, `          - { name: Other, url: "${upstream.url}/other.xml" }`));
    p.child.kill('SIGHUP');
    await p.waitFor(/configuration reloaded/);
    const body = feed([1, 2, 3, 4, 5]);
    expect((await push(new URL(sub.callback).pathname, body, sign('sha256', sub.secret, body))).status).toBe(410);
    expect(await metric('removed')).toBe(1);
  });
});

describe('signatureMatches', () => {
  it('checks sha1, sha256, sha384 and sha512 HMACs, and nothing else', () => {
    const body = Buffer.from('<rss/>');
    for (const alg of ['sha1', 'sha256', 'sha384', 'sha512']) expect(signatureMatches(sign(alg, 's3cret', '<rss/>'), body, 's3cret')).toBe(true);
    expect(signatureMatches(sign('sha256', 's3cret', '<rss/>').toUpperCase().replace('SHA256', 'sha256'), body, 's3cret')).toBe(true);
    expect(signatureMatches(sign('sha256', 'other', '<rss/>'), body, 's3cret')).toBe(false);
    expect(signatureMatches(sign('md5', 's3cret', '<rss/>'), body, 's3cret')).toBe(false);
    expect(signatureMatches('sha256=', body, 's3cret')).toBe(false);
    expect(signatureMatches(undefined, body, 's3cret')).toBe(false);
  });
});

describe('WebSubSubscriber without site.websub.subscribe', () => {
  it('subscribes to nothing, whatever the feeds name', async () => {
    const { WebSubSubscriber } = await import('../../src/ingest/websub.ts');
    const { silentLogger } = await import('../../src/core/log.ts');
    const { loadConfig } = await import('../../src/config/index.ts');
    const file = writeTempConfig(yaml(1).replace(', websub: { subscribe: true }', ''), 'refeed-websub-off-');
    const config = loadConfig(file);
    expect(config.site.websubSubscribe).toBe(false);
    let asked = 0;
    const store = { channelState: async () => ((asked++, { id: 1 }) as never) } as never;
    const sub = new WebSubSubscriber({ config: () => config, store, logger: silentLogger, onPush: () => true });
    const before = subscriptions.length;
    sub.observe({ key: 'g/s/c', url: '', status: 'new', newItems: 1, updatedItems: 0, duplicates: 0, ms: 1, websub: { hubs: [`${hub.url}/hub`], topic: 'https://t.example/' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(asked).toBe(0);
    expect(subscriptions.length).toBe(before);
    sub.stop();
  });
});
