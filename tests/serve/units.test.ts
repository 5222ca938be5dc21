import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, isCompressible } from '../../src/serve/content-type.ts';
import { WeightedLru } from '../../src/serve/lru.ts';
import { etagFor, ifNoneMatchHits, isNotModified, pickEncoding } from '../../src/serve/negotiate.ts';
import { Representations, RACY_MS, contentTag } from '../../src/serve/representations.ts';
import { parseRequestTarget } from '../../src/serve/request-path.ts';
import { isInside } from '../../src/serve/resolve.ts';

describe('parseRequestTarget', () => {
  it('splits and decodes a normal path', () => {
    expect(parseRequestTarget('/tech/hacker-news/rss.xml?x=1')).toEqual({
      ok: true,
      segments: ['tech', 'hacker-news', 'rss.xml'],
      trailingSlash: false,
      rawPath: '/tech/hacker-news/rss.xml',
      search: '?x=1',
    });
    expect(parseRequestTarget('/')).toMatchObject({ ok: true, segments: [], trailingSlash: true });
    expect(parseRequestTarget('/tech/')).toMatchObject({ ok: true, segments: ['tech'], trailingSlash: true });
    expect(parseRequestTarget('/caf%C3%A9.md')).toMatchObject({ ok: true, segments: ['café.md'] });
    // A lone '%' that decodes to nothing dangerous stays a literal name.
    expect(parseRequestTarget('/100%25.md')).toMatchObject({ ok: true, segments: ['100%.md'] });
  });

  it('accepts absolute-form targets', () => {
    expect(parseRequestTarget('http://feeds.example.org/tech/')).toMatchObject({ ok: true, segments: ['tech'], trailingSlash: true, rawPath: '/tech/' });
    expect(parseRequestTarget('http://feeds.example.org')).toMatchObject({ ok: true, segments: [], rawPath: '/' });
  });

  it.each([
    '/../secret.txt',
    '/tech/../../secret.txt',
    '/./rss.xml',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/.%2e/secret.txt',
    '/%252e%252e/secret.txt',
    '/%25252e%25252e/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%252fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/tech\\..\\..\\secret.txt',
    '/rss.xml%00.html',
    '/%00',
    '/%0d%0aSet-Cookie:x',
    '//etc/passwd',
    '/tech//rss.xml',
    '/%2fetc%2fpasswd',
    '/%c0%ae%c0%ae/secret.txt',
    '/%',
    '/%zz',
    '/%e2%82',
    'http://evil.example/../secret.txt',
    '*',
    'secret.txt',
  ])('refuses %s', (target) => {
    expect(parseRequestTarget(target).ok).toBe(false);
  });
});

describe('pickEncoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['BR', 'br'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['deflate', 'identity'],
    ['identity', 'identity'],
    ['gzip;q=banana', 'identity'],
  ] as const)('%s → %s', (header, expected) => {
    expect(pickEncoding(header)).toBe(expected);
  });
});

describe('conditional requests', () => {
  const tag = 'abc123';
  it('matches If-None-Match weakly and across codings', () => {
    expect(ifNoneMatchHits('"abc123"', tag)).toBe(true);
    expect(ifNoneMatchHits('W/"abc123"', tag)).toBe(true);
    expect(ifNoneMatchHits('"zzz", "abc123-gz"', tag)).toBe(true);
    expect(ifNoneMatchHits(etagFor(tag, 'br'), tag)).toBe(true);
    expect(ifNoneMatchHits('*', tag)).toBe(true);
    expect(ifNoneMatchHits('"abc1234"', tag)).toBe(false);
    expect(ifNoneMatchHits('abc123', tag)).toBe(false);
  });

  it('applies If-Modified-Since at one-second precision, and only without If-None-Match', () => {
    const mtime = Date.parse('2025-03-03T10:00:00.750Z');
    expect(isNotModified({ 'if-modified-since': 'Mon, 03 Mar 2025 10:00:00 GMT' }, tag, mtime)).toBe(true);
    expect(isNotModified({ 'if-modified-since': 'Mon, 03 Mar 2025 09:59:59 GMT' }, tag, mtime)).toBe(false);
    expect(isNotModified({ 'if-modified-since': 'not a date' }, tag, mtime)).toBe(false);
    expect(isNotModified({ 'if-none-match': '"other"', 'if-modified-since': 'Mon, 03 Mar 2025 11:00:00 GMT' }, tag, mtime)).toBe(false);
    expect(isNotModified({}, tag, mtime)).toBe(false);
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['rss.xml', 'application/rss+xml; charset=utf-8'],
    ['RSS.XML', 'application/rss+xml; charset=utf-8'],
    ['atom.xml', 'application/atom+xml; charset=utf-8'],
    ['sitemap.xml', 'application/xml; charset=utf-8'],
    ['feed.json', 'application/feed+json; charset=utf-8'],
    ['other.json', 'application/json; charset=utf-8'],
    ['index.opml', 'text/x-opml; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
    ['a.md', 'text/markdown; charset=utf-8'],
    ['data.bin', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ])('%s → %s', (name, type) => {
    expect(contentTypeFor(name)).toBe(type);
  });

  it('compresses text but not binaries', () => {
    expect(isCompressible('application/rss+xml; charset=utf-8')).toBe(true);
    expect(isCompressible('application/feed+json; charset=utf-8')).toBe(true);
    expect(isCompressible('text/markdown; charset=utf-8')).toBe(true);
    expect(isCompressible('application/octet-stream')).toBe(false);
    expect(isCompressible('image/png')).toBe(false);
  });
});

describe('WeightedLru', () => {
  it('evicts least recently used entries past the weight bound', () => {
    const lru = new WeightedLru<string, Buffer>(10, (b) => b.length);
    lru.set('a', Buffer.alloc(4));
    lru.set('b', Buffer.alloc(4));
    lru.get('a'); // a is now the most recent
    lru.set('c', Buffer.alloc(4));
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBeDefined();
    expect(lru.get('c')).toBeDefined();
    expect(lru.weight).toBe(8);
  });

  it('does not keep entries above the per-entry bound, nor let them flush others', () => {
    const lru = new WeightedLru<string, Buffer>(100, (b) => b.length, 10);
    lru.set('small', Buffer.alloc(5));
    lru.set('huge', Buffer.alloc(50));
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('small')).toBeDefined();
    expect(lru.weight).toBe(5);
  });

  it('replacing a key adjusts the weight', () => {
    const lru = new WeightedLru<string, Buffer>(100, (b) => b.length);
    lru.set('k', Buffer.alloc(30));
    lru.set('k', Buffer.alloc(10));
    expect(lru.weight).toBe(10);
    expect(lru.size).toBe(1);
  });
});

describe('Representations', () => {
  const body = Buffer.from('<rss>'.padEnd(4000, 'x') + '</rss>');
  const tag = contentTag(body);

  it('shares one load and one compression among concurrent misses, then serves from cache', async () => {
    const reps = new Representations(1024 * 1024);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return body;
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => reps.body(tag, 'gzip', load)));
    expect(loads).toBe(1);
    expect(new Set(results).size).toBe(1);
    const again = await reps.body(tag, 'gzip', load);
    expect(again).toBe(results[0]);
    // identity was kept from the same load
    expect(await reps.body(tag, 'identity', load)).toEqual(body);
    expect(loads).toBe(1);
  });

  it('stays within its byte bound', async () => {
    const reps = new Representations(64 * 1024);
    for (let i = 0; i < 50; i++) {
      const b = Buffer.from(`${i}`.padEnd(4000, String.fromCharCode(97 + (i % 26))));
      await reps.body(contentTag(b), 'identity', async () => b);
      expect(reps.cachedBytes).toBeLessThanOrEqual(64 * 1024);
    }
  });

  it('trusts a stat identity for the tag only once the file is older than the racy window', () => {
    const reps = new Representations();
    const now = 1_000_000_000_000;
    const fresh = { dev: 1, ino: 2, size: 3, mtimeMs: now - 10, ctimeMs: now - 10 } as Stats;
    reps.rememberTag(fresh, 'fresh', now);
    expect(reps.knownTag(fresh)).toBeUndefined();
    const old = { dev: 1, ino: 2, size: 3, mtimeMs: now - RACY_MS - 1, ctimeMs: now - RACY_MS - 1 } as Stats;
    reps.rememberTag(old, 'old', now);
    expect(reps.knownTag(old)).toBe('old');
    // a rewrite (new ctime) is a different stat identity
    expect(reps.knownTag({ ...old, ctimeMs: now } as Stats)).toBeUndefined();
  });
});

describe('isInside', () => {
  it('requires a separator after the root, so siblings sharing a prefix are outside', () => {
    expect(isInside('/srv/root', '/srv/root')).toBe(true);
    expect(isInside('/srv/root', '/srv/root/rss.xml')).toBe(true);
    expect(isInside('/srv/root', '/srv/root-evil/secret.txt')).toBe(false);
    expect(isInside('/srv/root', '/srv/rootsecret')).toBe(false);
    expect(isInside('/srv/root', '/srv')).toBe(false);
    expect(isInside('/', '/etc/passwd')).toBe(true);
  });
});
