import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes, forbiddenAddress } from '../../src/fetch/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { testSettings } from './helpers.ts';

// Issue: redirects to 127.0.0.1, localhost and 169.254.169.254 were followed,
// and what came back was republished. By default a fetch now refuses them.

const FEED = '<rss version="2.0"><channel><title>internal</title><item><title>secret</title></item></channel></rss>';

describe('address policy: private addresses are refused unless allowed', () => {
  let internal: TestServer;
  let redirector: TestServer;
  beforeAll(async () => {
    internal = await startServer((req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED));
    const port = new URL(internal.url).port;
    redirector = await startServer((req, res) => {
      const to: Record<string, string> = {
        '/to-loopback': `http://127.0.0.1:${port}/feed`,
        '/to-localhost': `http://localhost:${port}/feed`,
        '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
        '/to-mapped': `http://[::ffff:127.0.0.1]:${port}/feed`,
      };
      const location = to[req.url ?? ''];
      if (location) res.writeHead(302, { location }).end();
      else res.writeHead(404).end();
    });
  });
  afterAll(async () => {
    await internal?.close();
    await redirector?.close();
  });

  it('refuses a configured URL on a loopback address, saying why and how to allow it', async () => {
    const out = await fetchBytes({ url: `${internal.url}/feed`, settings: testSettings({ allowPrivate: false }) });
    expect(out.kind).toBe('error');
    if (out.kind !== 'error') return;
    expect(out.error.code).toBe('blocked');
    expect(out.error.message).toMatch(/^fetching http:\/\/127\.0\.0\.1:\d+\/feed refused: 127\.0\.0\.1 is a loopback address \(set allow_private: true/);
    expect(internal.requests).toHaveLength(0);
  });

  it('refuses a host name that resolves to loopback (localhost), judged on the address connected to', async () => {
    const out = await fetchBytes({ url: `http://localhost:${new URL(internal.url).port}/feed`, settings: testSettings({ allowPrivate: false }) });
    expect(out.kind === 'error' && out.error.code).toBe('blocked');
    expect(out.kind === 'error' && out.error.message).toMatch(/localhost \((127\.0\.0\.1|::1)\) is a loopback address/);
    expect(internal.requests).toHaveLength(0);
  });

  it('follows the same redirects when the channel allows private addresses', async () => {
    const out = await fetchBytes({ url: `${redirector.url}/to-loopback`, settings: testSettings({ allowPrivate: true }) });
    expect(out.kind).toBe('ok');
    expect(internal.requests.length).toBeGreaterThan(0);
  });

  it('classifies the ranges: loopback, private, link-local (metadata), unique-local, IPv4 in IPv6; public ones pass', () => {
    expect(forbiddenAddress('127.0.0.1')).toBe('a loopback address');
    expect(forbiddenAddress('::1')).toBe('a loopback address');
    expect(forbiddenAddress('[::1]')).toBe('a loopback address');
    expect(forbiddenAddress('10.1.2.3')).toBe('a private address');
    expect(forbiddenAddress('172.20.0.1')).toBe('a private address');
    expect(forbiddenAddress('192.168.1.1')).toBe('a private address');
    expect(forbiddenAddress('169.254.169.254')).toBe('a link-local address');
    expect(forbiddenAddress('fd00::1')).toBe('a unique-local address');
    expect(forbiddenAddress('fe80::1')).toBe('a link-local address');
    expect(forbiddenAddress('::ffff:127.0.0.1')).toBe('a loopback address');
    expect(forbiddenAddress('::ffff:7f00:1')).toBe('a loopback address');
    expect(forbiddenAddress('0.0.0.0')).toBe('an unspecified address');
    for (const ok of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', 'example.org']) expect(forbiddenAddress(ok), ok).toBeUndefined();
  });
});

describe('address policy on redirects', () => {
  // Offline, no first hop is public. So the first hop goes to a name that a
  // fake resolver maps to the loopback test server (the policy judges a
  // dispatcher's names only through its own resolver, and literal addresses
  // on every hop), and the redirect names a literal address.
  let redirector: TestServer;
  let fakeDns: Agent;
  beforeAll(async () => {
    redirector = await startServer((req, res) => {
      const m = /^\/to\/(.+)$/.exec(req.url ?? '');
      if (m) res.writeHead(302, { location: decodeURIComponent(m[1]) }).end();
      else res.writeHead(404).end();
    });
    fakeDns = new Agent({ connect: { lookup: ((_host: string, _opts: object, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address: '127.0.0.1', family: 4 }])) as never } });
  });
  afterAll(async () => {
    await redirector?.close();
    await fakeDns?.close();
  });

  for (const [name, target, reason] of [
    ['the cloud metadata service', 'http://169.254.169.254/latest/meta-data/', 'a link-local address'],
    ['a private network', 'http://10.0.0.5/admin', 'a private address'],
    ['loopback', 'http://127.0.0.1:9/x', 'a loopback address'],
    ['an IPv4 loopback in IPv6', 'http://[::ffff:127.0.0.1]:9/x', 'a loopback address'],
  ] as const) {
    it(`refuses a redirect to ${name} before connecting`, async () => {
      const out = await fetchBytes({
        url: `http://feeds.public.test:${new URL(redirector.url).port}/to/${encodeURIComponent(target)}`,
        settings: testSettings({ allowPrivate: false }),
        dispatcher: fakeDns,
      });
      expect(out.kind).toBe('error');
      if (out.kind !== 'error') return;
      expect(out.error.code).toBe('blocked');
      expect(out.error.message).toMatch(/^redirect to /);
      expect(out.error.message).toContain(reason);
      expect(redirector.requests).not.toHaveLength(0);
    });
  }
});

describe('address policy: every IPv6 form that carries an IPv4 address is judged by it (ipaddr.js)', () => {
  // Issue 20: [::127.0.0.1], [::ffff:0:127.0.0.1] and 6to4 [2002:7f00:1::] passed as public.
  it.each([
    ['::127.0.0.1', 'a loopback address'], // IPv4-compatible, dotted
    ['::7f00:1', 'a loopback address'], // IPv4-compatible, as a URL normalises it
    ['::ffff:0:127.0.0.1', 'a loopback address'], // SIIT (RFC 6145)
    ['::ffff:0:7f00:1', 'a loopback address'],
    ['0:0:0:0:0:ffff:7f00:1', 'a loopback address'], // mapped, long form
    ['2002:7f00:1::', 'a loopback address'], // 6to4 of 127.0.0.1
    ['2002:a9fe:a9fe::1', 'a link-local address'], // 6to4 of the metadata service
    ['2002:c0a8:101::', 'a private address'], // 6to4 of 192.168.1.1
    ['64:ff9b::7f00:1', 'a loopback address'], // NAT64 well-known prefix
    ['64:ff9b::10.0.0.1', 'a private address'],
    ['64:ff9b:1::a00:1', 'a local NAT64 address'], // local-use NAT64: destination unknowable
    // Teredo: server 65.54.227.120, client 127.0.0.1 (stored inverted: 80ff:fffe)
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'a loopback address'],
    ['[::ffff:0:127.0.0.1]', 'a loopback address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['255.255.255.255', 'a broadcast address'],
    ['198.18.0.1', 'a reserved address'], // benchmarking,
  ])('%s is %s', (ip, reason) => {
    expect(forbiddenAddress(ip)).toBe(reason);
  });

  it.each([
    '2002:5db8:d822::1', // 6to4 of 93.184.216.34
    '64:ff9b::5db8:d822', // NAT64 of a public address
    '2001:0:4136:e378:8000:63bf:a247:27dd', // Teredo with a public client (93.184.216.34 inverted)
    '::5db8:d822', // IPv4-compatible public
    '2a00:1450:4001:82b::200e',
    '8.8.8.8',
    '127.1', // not a full address: a host name as far as the policy goes (a URL normalises it first)
  ])('%s passes', (ip) => {
    expect(forbiddenAddress(ip)).toBeUndefined();
  });

  it('a URL host in any of these forms is refused before connecting', async () => {
    for (const host of ['[::127.0.0.1]', '[::ffff:0:127.0.0.1]', '[2002:7f00:1::]']) {
      const out = await fetchBytes({ url: `http://${host}:9/feed`, settings: testSettings({ allowPrivate: false }) });
      expect(out.kind === 'error' && out.error.code, host).toBe('blocked');
    }
  });
});
