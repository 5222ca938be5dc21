import { gzipSync } from 'node:zlib';
import type http from 'node:http';
import iconv from 'iconv-lite';
import type { FetchErrorCode } from '../../src/core/types.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { fixture, rss, type FeedItemSpec } from './feeds.ts';

// One loopback upstream serving every hostile case at /h/<case>. In `seed`
// mode each case serves a well-formed feed with one item of its own, so a
// first run stores and publishes something for every channel; in `hostile`
// mode each serves its attack. A second server answers the `refused` case
// while seeding and is closed afterwards, so its port then refuses.

export type Mode = 'seed' | 'hostile';

export interface HostileCase {
  source: string;
  name: string;
  /** Per-channel config keys. */
  settings?: Record<string, unknown>;
  /** The failure the channel must report; absent when refeed copes and stores the items. */
  error?: { code: FetchErrorCode; message: RegExp };
  /** When refeed copes only after repairing the document: what its `recovered` warning must say. */
  recovered?: RegExp;
}

const KB = 1024;
/** Default `max_bytes` of the hostile config: small, so oversize cases are cheap. */
export const MAX_BYTES = 64 * KB;

// A name glibc cannot even put into a DNS query (a label longer than 63
// octets), so resolution fails at once without any network traffic, online
// or offline; `.invalid` (RFC 2606) in case some resolver tries anyway.
export const DNS_FAIL_HOST = `${'no-such-host-'.repeat(5).slice(0, 64)}.invalid`;

export const CASES: HostileCase[] = [
  // markup
  // broken XML whose intent is clear: read, with every complete item (ParsedFeed.recovered says what was repaired)
  { source: 'markup', name: 'malformed', recovered: /^<\/titel> at line \d+ closes nothing; read as <\/title>/ },
  { source: 'markup', name: 'truncated', recovered: /^document ends inside <item> at line \d+ \(truncated\?\): the incomplete last item was dropped$/ },
  { source: 'markup', name: 'html-page', error: { code: 'not-a-feed', message: /^not a feed: this is an HTML page, and it advertises no feed/ } },
  {
    source: 'markup',
    name: 'html-alternate',
    error: { code: 'not-a-feed', message: /^not a feed: this is an HTML page; it advertises a feed at http:\/\/127\.0\.0\.1:\d+\/feeds\/real\.xml$/ },
  },
  { source: 'markup', name: 'empty', error: { code: 'empty', message: /^the response body is empty \(HTTP 200 from http:\/\/127\.0\.0\.1:\d+\/h\/empty\)$/ } },
  { source: 'markup', name: 'binary', error: { code: 'parse', message: /^not a feed: the response is binary data, neither XML nor JSON$/ } },
  // charsets: refeed reads these right, so they store their items
  { source: 'charset', name: 'utf8-labelled-latin1' },
  { source: 'charset', name: 'gbk-labelled-utf8' },
  { source: 'charset', name: 'bom-vs-declaration' },
  { source: 'charset', name: 'invalid-utf8' },
  // transport
  { source: 'transport', name: 'too-large', error: { code: 'too-large', message: /announces 256 KiB, over the 64 KiB limit$/ } },
  { source: 'transport', name: 'too-large-chunked', error: { code: 'too-large', message: /^response body exceeds the 64 KiB limit \(http:/ } },
  { source: 'transport', name: 'endless', error: { code: 'too-large', message: /^response body exceeds the 64 KiB limit \(http:/ } },
  { source: 'transport', name: 'gzip-bomb', error: { code: 'too-large', message: /^decompressed body exceeds the 64 KiB limit \(http:/ } },
  { source: 'transport', name: 'drip', settings: { timeout: '1s' }, error: { code: 'timeout', message: /^no complete response from http:\/\/127\.0\.0\.1:\d+\/h\/drip within 1000 ms$/ } },
  { source: 'transport', name: 'silent', settings: { timeout: '1s' }, error: { code: 'timeout', message: /^no complete response from http:\/\/127\.0\.0\.1:\d+\/h\/silent within 1000 ms$/ } },
  // HTTP
  { source: 'http', name: 'redirect-loop', error: { code: 'redirect-loop', message: /^redirect loop: http:\/\/127\.0\.0\.1:\d+\/h\/redirect-loop → http:\/\/127\.0\.0\.1:\d+\/loop\/b → http:\/\/127\.0\.0\.1:\d+\/h\/redirect-loop$/ } },
  { source: 'http', name: 'redirect-chain', error: { code: 'too-many-redirects', message: /^more than 3 redirects starting at http:\/\/127\.0\.0\.1:\d+\/h\/redirect-chain \(last: http:\/\/127\.0\.0\.1:\d+\/chain\/4\)$/ } },
  { source: 'http', name: 'redirect-file', error: { code: 'bad-redirect', message: /^redirect from http:\/\/127\.0\.0\.1:\d+\/h\/redirect-file to a non-HTTP URL \(file:\), refused$/ } },
  { source: 'http', name: 'redirect-javascript', error: { code: 'bad-redirect', message: /to a non-HTTP URL \(javascript:\), refused$/ } },
  { source: 'http', name: 'not-found', error: { code: 'http-status', message: /^HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/h\/not-found$/ } },
  { source: 'http', name: 'gone', error: { code: 'gone', message: /^HTTP 410 Gone: http:\/\/127\.0\.0\.1:\d+\/h\/gone was removed for good; stop fetching it$/ } },
  { source: 'http', name: 'rate-limited', error: { code: 'rate-limited', message: /^HTTP 429 Too Many Requests from http:\/\/127\.0\.0\.1:\d+\/h\/rate-limited: the server asks to retry after 3600 s$/ } },
  { source: 'http', name: 'server-error', error: { code: 'http-status', message: /^HTTP 500 Internal Server Error from http:\/\/127\.0\.0\.1:\d+\/h\/server-error$/ } },
  { source: 'http', name: 'refused', error: { code: 'network', message: /^connection refused \(127\.0\.0\.1:\d+, ECONNREFUSED\)$/ } },
  { source: 'http', name: 'dns', error: { code: 'dns', message: new RegExp(`^DNS lookup failed for ${DNS_FAIL_HOST.replaceAll('.', '\\.')}: ENOTFOUND$`) } },
  // items
  { source: 'items', name: 'no-title' },
  { source: 'items', name: 'no-link' },
  { source: 'items', name: 'no-guid' },
  { source: 'items', name: 'no-date' },
  { source: 'items', name: 'odd-dates' },
  { source: 'items', name: 'future-date' },
  { source: 'items', name: 'dup-guids' },
  { source: 'items', name: 'many-items', settings: { max_bytes: '16MB' } },
  { source: 'items', name: 'huge-title', settings: { max_bytes: '4MB' } },
];

export const caseKey = (c: Pick<HostileCase, 'source' | 'name'>) => `hostile/${c.source}/${c.name}`;
export const GOOD_KEY = 'good/good/main';

/** The one item each case serves while seeding: what must survive the hostile run. */
export function seedItem(name: string): FeedItemSpec {
  return {
    guid: `seed-${name}`,
    title: `Seed item of ${name}`,
    link: `https://seed.example/${name}`,
    date: new Date(Date.UTC(2024, 0, 15)),
    html: `<p>Seed body of <b>${name}</b>.</p>`,
  };
}

export const GOOD_ITEMS: FeedItemSpec[] = [
  { guid: 'good-1', title: 'Good one', link: 'https://good.example/1', date: new Date(Date.UTC(2024, 1, 1)), html: '<p>good one</p>' },
  { guid: 'good-2', title: 'Good two', link: 'https://good.example/2', date: new Date(Date.UTC(2024, 1, 2)), html: '<p>good two</p>' },
];

/** Titles and bodies whose decoding the charset cases check. */
export const CHARSET_TITLE = '产业互联网需要被正名：Café «naïve» — ✓';
export const INVALID_UTF8_TITLES = ['Ein schöner Übergang für Größen', 'Ελληνικά κείμενα για δοκιμή', 'Crème brûlée à la française'];

function charsetCase(name: string): { body: Buffer; type: string } {
  const item = (guid: string): FeedItemSpec => ({ guid, title: CHARSET_TITLE, link: `https://charset.example/${guid}`, date: new Date(Date.UTC(2024, 3, 1)), html: `<p>${CHARSET_TITLE}</p>` });
  switch (name) {
    case 'utf8-labelled-latin1':
      // UTF-8 bytes; the header and the declaration both claim ISO-8859-1.
      return { body: Buffer.from(rss('utf8', [item(name)], { encoding: 'iso-8859-1' })), type: 'application/rss+xml; charset=iso-8859-1' };
    case 'gbk-labelled-utf8': {
      // GBK can't hold «», — and ✓: this case's title is the CJK part only.
      const title = '产业互联网需要被正名：中文标题与正文内容';
      const doc = rss('gbk', [{ ...item(name), title, html: `<p>${title}</p>` }], { encoding: 'utf-8' });
      return { body: iconv.encode(doc, 'gbk'), type: 'application/rss+xml; charset=utf-8' };
    }
    case 'bom-vs-declaration':
      // A UTF-16LE byte-order mark; header and declaration say windows-1251.
      return {
        body: Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rss('bom', [item(name)], { encoding: 'windows-1251' }), 'utf16le')]),
        type: 'text/xml; charset=windows-1251',
      };
    case 'invalid-utf8': {
      // Declared UTF-8 and is UTF-8, but for one stray byte after the first title.
      const doc = rss(
        'bad-bytes',
        INVALID_UTF8_TITLES.map((title, i) => ({ ...item(`${name}-${i}`), title, html: `<p>${title}</p>` })),
      );
      const cut = Buffer.byteLength(doc.slice(0, doc.indexOf(`${INVALID_UTF8_TITLES[0]}</title>`) + INVALID_UTF8_TITLES[0].length));
      const bytes = Buffer.from(doc);
      return { body: Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xff]), bytes.subarray(cut)]), type: 'application/rss+xml; charset=utf-8' };
    }
  }
  throw new Error(`no charset case ${name}`);
}

/** The feed each item case serves in hostile mode (the seed item is gone from it). */
function itemsCase(name: string): string | Buffer {
  switch (name) {
    case 'many-items':
      return rss(
        'many',
        Array.from({ length: 10_000 }, (_, i) => ({
          guid: `many-${i}`,
          title: `Item ${i} of ten thousand`,
          link: `https://items.example/many/${i}`,
          // Older than the seed item: the channel feed keeps showing it.
          date: new Date(Date.UTC(2023, 0, 1) - i * 60_000),
          html: `<p>body ${i}</p>`,
        })),
      );
    case 'huge-title':
      return rss('huge', [{ guid: 'huge-1', title: `${'A huge title. '.repeat(75_000)}`, link: 'https://items.example/huge/1', date: new Date(Date.UTC(2024, 3, 1)), html: '<p>small body</p>' }]);
    default:
      return fixture(`items-${name}.xml`);
  }
}

export interface HostileUpstream {
  url: string;
  mode: Mode;
  /** Channel URL of a case. */
  urlOf(c: HostileCase): string;
  /** Closes the `refused` case's server: its port refuses from then on. */
  refuse(): Promise<void>;
  close(): Promise<void>;
}

const RSS_TYPE = 'application/rss+xml; charset=utf-8';

export async function startHostileUpstream(): Promise<HostileUpstream> {
  // Heavy bodies are built before serving, so that building them never stalls a response.
  // The bomb: 32 KiB on the wire, 32 MiB once decompressed.
  const bomb = gzipSync(Buffer.concat([Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>'), Buffer.alloc(32 * 1024 * KB, 'a')]), { level: 9 });
  const heavy = new Map(['many-items', 'huge-title'].map((name) => [name, Buffer.from(itemsCase(name))]));
  const timers = new Set<NodeJS.Timeout>();
  const upstream: { mode: Mode } = { mode: 'seed' };

  const send = (res: http.ServerResponse, body: string | Buffer, type = RSS_TYPE, status = 200) => void res.writeHead(status, { 'content-type': type }).end(body);
  const seed = (res: http.ServerResponse, name: string) => send(res, rss(name, name === 'good' ? GOOD_ITEMS.slice(0, 1) : [seedItem(name)]));

  const server = await startServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p === '/good.xml') return send(res, rss('good', upstream.mode === 'seed' ? GOOD_ITEMS.slice(0, 1) : GOOD_ITEMS));
    const loop = /^\/loop\/b$/.exec(p);
    if (loop) return void res.writeHead(302, { location: '/h/redirect-loop' }).end();
    const chain = /^\/chain\/(\d+)$/.exec(p);
    if (chain) {
      const n = Number(chain[1]);
      return n < 10 ? void res.writeHead(301, { location: `/chain/${n + 1}` }).end() : seed(res, 'redirect-chain');
    }
    const m = /^\/h\/([\w-]+)$/.exec(p);
    if (!m) return send(res, 'not found', 'text/plain', 404);
    const name = m[1];
    if (upstream.mode === 'seed') return seed(res, name);
    switch (name) {
      case 'malformed':
      case 'truncated':
        return send(res, fixture(`${name}.xml`));
      case 'html-page':
      case 'html-alternate':
        return send(res, fixture(name === 'html-page' ? 'page.html' : 'page-alternate.html'), 'text/html; charset=utf-8');
      case 'empty':
        return send(res, '');
      case 'binary': {
        // Deterministic noise behind a PNG signature.
        const bytes = Buffer.alloc(4096);
        let x = 0x2545f491;
        for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
        return send(res, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes]), 'application/rss+xml');
      }
      case 'utf8-labelled-latin1':
      case 'gbk-labelled-utf8':
      case 'bom-vs-declaration':
      case 'invalid-utf8': {
        const c = charsetCase(name);
        return send(res, c.body, c.type);
      }
      case 'too-large':
        return void res.writeHead(200, { 'content-type': RSS_TYPE, 'content-length': 256 * KB }).end(Buffer.alloc(256 * KB, ' '));
      case 'too-large-chunked':
      case 'endless': {
        // No Content-Length: the size is only known by reading.
        res.writeHead(200, { 'content-type': RSS_TYPE, 'transfer-encoding': 'chunked' });
        res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>');
        const chunk = Buffer.alloc(16 * KB, 'x');
        let left = name === 'endless' ? Infinity : 16; // 256 KiB, or forever
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            left--;
            if (!res.write(chunk)) return;
          }
          if (left === 0) res.end('</title></channel></rss>');
        };
        res.on('drain', pump);
        return pump();
      }
      case 'gzip-bomb':
        return void res.writeHead(200, { 'content-type': RSS_TYPE, 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb);
      case 'drip': {
        // One byte per second: every read succeeds, the whole never arrives in time.
        res.writeHead(200, { 'content-type': RSS_TYPE });
        const doc = rss('drip', [seedItem('drip')]);
        let i = 0;
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(doc[i++ % doc.length])), 1000);
        timers.add(t);
        res.write(doc[i++]);
        return;
      }
      case 'silent':
        return; // the request is read, and never answered
      case 'redirect-loop':
        return void res.writeHead(302, { location: '/loop/b' }).end();
      case 'redirect-chain':
        return void res.writeHead(301, { location: '/chain/1' }).end();
      case 'redirect-file':
        return void res.writeHead(301, { location: 'file:///etc/passwd' }).end();
      case 'redirect-javascript':
        return void res.writeHead(302, { location: 'javascript:alert(document.cookie)' }).end();
      case 'not-found':
        return send(res, '<html><body>Not here</body></html>', 'text/html', 404);
      case 'gone':
        return send(res, '', 'text/plain', 410);
      case 'rate-limited':
        return void res.writeHead(429, { 'retry-after': '3600', 'content-type': 'text/plain' }).end('slow down');
      case 'server-error':
        return send(res, '<html><body>Internal error</body></html>', 'text/html', 500);
      default:
        return send(res, heavy.get(name) ?? itemsCase(name));
    }
  });

  // No keep-alive: a pooled connection to it would fail as a closed socket, not as a refused connection, once it is gone.
  let refusing: TestServer | undefined = await startServer((req, res) => {
    res.setHeader('connection', 'close');
    seed(res, 'refused');
  });
  const refusedUrl = `${refusing.url}/h/refused`;

  return {
    url: server.url,
    get mode() {
      return upstream.mode;
    },
    set mode(m: Mode) {
      upstream.mode = m;
    },
    urlOf(c) {
      if (c.name === 'refused') return refusedUrl;
      if (c.name === 'dns') return `http://${DNS_FAIL_HOST}/feed.xml`;
      return `${server.url}/h/${c.name}`;
    },
    async refuse() {
      await refusing?.close();
      refusing = undefined;
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await refusing?.close();
      await server.close();
    },
  };
}
