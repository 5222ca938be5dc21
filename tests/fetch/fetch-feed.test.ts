import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeed } from '../../src/fetch/index.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { fixture, testSettings } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer(
    routes({
      '/rss2.xml': { body: fixture('rss2.xml') },
      '/atom.xml': { body: fixture('atom1.xml'), type: 'application/atom+xml' },
      '/atom03.xml': { body: fixture('atom03.xml'), type: 'application/xml' },
      '/index.rdf': { body: fixture('rdf.xml'), type: 'application/rdf+xml' },
      '/rss091.xml': { body: fixture('rss091.xml'), type: 'text/xml' },
      '/feed.json': { body: fixture('jsonfeed1.json'), type: 'application/json' },
      '/feed11.json': { body: fixture('jsonfeed11.json'), type: 'application/feed+json' },
      '/broken.xml': { body: fixture('broken-entities.xml'), type: 'text/xml' },
      '/mislabelled': { body: fixture('rss2.xml'), type: 'text/html; charset=utf-8' },
      '/blog/': { body: fixture('page-with-alternates.html'), type: 'text/html; charset=utf-8' },
      '/empty': { body: '' },
      '/blank': { body: '\n\n   \n' },
      '/garbage': { body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 256)), type: 'application/octet-stream' },
      '/truncated.xml': { body: fixture('rss2.xml').subarray(0, 700) },
      // Cut inside the second item: the first is complete.
      '/cut-after-one.xml': { body: fixture('rss2.xml').subarray(0, fixture('rss2.xml').indexOf('<item>', fixture('rss2.xml').indexOf('</item>')) + 30) },
    }),
  );
});
afterAll(() => server.close());

const get = (path: string) => fetchFeed({ url: `${server.url}${path}`, settings: testSettings() });

describe('fetchFeed end to end', () => {
  it.each([
    ['/rss2.xml', 'rss2.xml', 'rss', 3, 'utf-8'],
    ['/atom.xml', 'atom1.xml', 'atom', 3, 'utf-8'],
    ['/atom03.xml', 'atom03.xml', 'atom', 2, 'utf-8'],
    ['/index.rdf', 'rdf.xml', 'rdf', 2, 'utf-8'],
    // Pure ASCII declared ISO-8859-1: reported as its windows-1252 superset.
    ['/rss091.xml', 'rss091.xml', 'rss', 2, 'windows-1252'],
    ['/feed.json', 'jsonfeed1.json', 'json', 2, 'utf-8'],
    ['/feed11.json', 'jsonfeed11.json', 'json', 2, 'utf-8'],
  ])('fetches %s (%s) as %s', async (path, file, format, count, charset) => {
    const out = await get(path);
    expect(out.kind).toBe('ok');
    if (out.kind !== 'ok') return;
    expect(out.feed.format).toBe(format);
    expect(out.feed.items).toHaveLength(count);
    expect(out).toMatchObject({ status: 200, finalUrl: `${server.url}${path}`, charset, bytes: fixture(file).length });
  });

  it('repairs a broken feed on the way', async () => {
    const out = await get('/broken.xml');
    expect(out).toMatchObject({ kind: 'ok', feed: { title: 'Broken & repaired: Tom & Jerry\u00a0Show' } });
  });

  it('sniffs a feed served as text/html', async () => {
    const out = await get('/mislabelled');
    expect(out).toMatchObject({ kind: 'ok', feed: { format: 'rss', title: 'Example Engineering Blog' } });
  });

  it('reports an HTML page with its advertised feeds', async () => {
    const out = await get('/blog/');
    expect(out).toEqual({
      kind: 'error',
      error: {
        code: 'not-a-feed',
        message: `not a feed: this is an HTML page; it advertises 3 feeds: ${server.url}/feed.xml, https://example.com/atom.xml, ${server.url}/blog/feed.json`,
        alternates: [`${server.url}/feed.xml`, 'https://example.com/atom.xml', `${server.url}/blog/feed.json`],
      },
    });
  });

  it('reports an empty 200 as empty', async () => {
    expect(await get('/empty')).toMatchObject({ kind: 'error', error: { code: 'empty', message: expect.stringContaining('empty') } });
    expect(await get('/blank')).toMatchObject({ kind: 'error', error: { code: 'empty' } });
  });

  it('reports binary garbage as a parse error', async () => {
    expect(await get('/garbage')).toMatchObject({ kind: 'error', error: { code: 'parse' } });
  });

  it('keeps the complete items of a download cut mid-item, with the repair in feed.recovered', async () => {
    const out = await get('/cut-after-one.xml');
    expect(out).toMatchObject({ kind: 'ok', feed: { format: 'rss', items: [{ guid: 'post-1042' }] } });
    if (out.kind === 'ok') expect(out.feed.recovered).toEqual([expect.stringMatching(/^document ends inside <item> at line \d+ \(truncated\?\): the incomplete last item was dropped$/)]);
  });

  it('reports a download cut before any complete item as a parse error', async () => {
    expect(await get('/truncated.xml')).toMatchObject({ kind: 'error', error: { code: 'parse', message: expect.stringContaining('truncated') } });
  });
});
