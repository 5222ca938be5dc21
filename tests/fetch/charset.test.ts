import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFeedBytes, fetchFeed, normalizeCharset } from '../../src/fetch/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { testSettings } from './helpers.ts';

/** An RSS document in `title` and `body`, with an optional XML encoding declaration. */
function rss(title: string, body: string, declared?: string): string {
  const decl = declared ? `<?xml version="1.0" encoding="${declared}"?>\n` : '';
  return `${decl}<rss version="2.0"><channel><title>${title}</title><link>http://charset.example/</link>
<item><title>${title}</title><guid>c-1</guid><description>${body}</description></item></channel></rss>`;
}

const SAMPLES = {
  chinese: ['中文订阅源测试', '今天天气很好，我们去公园散步吧。这是一个包含常见汉字和标点符号的测试段落，用于检测编码。'],
  traditional: ['繁體中文訂閱源', '今天天氣很好，我們去公園散步吧。這是一個包含常見漢字和標點符號的測試段落，用於檢測編碼。'],
  japanese: ['日本語のフィード', 'これは日本語のテストです。今日はいい天気ですね。ニュースフィードを読みます。文字コードの検出を確認します。'],
  korean: ['한국어 피드', '이것은 한국어 테스트입니다. 오늘 날씨가 좋네요. 뉴스 피드를 읽습니다. 문자 인코딩 감지를 확인합니다.'],
  russian: ['Русская лента', 'Это тестовая лента новостей на русском языке. Сегодня хорошая погода, и мы идём гулять в парк.'],
} as const;

describe('decodeFeedBytes: declared charsets', () => {
  it.each([
    ['gbk', 'gb18030', SAMPLES.chinese],
    ['gb2312', 'gb18030', SAMPLES.chinese],
    ['gb18030', 'gb18030', SAMPLES.chinese],
    ['big5', 'big5', SAMPLES.traditional],
    ['shift_jis', 'shift_jis', SAMPLES.japanese],
    ['euc-jp', 'euc-jp', SAMPLES.japanese],
    ['euc-kr', 'euc-kr', SAMPLES.korean],
    ['koi8-r', 'koi8-r', SAMPLES.russian],
    ['windows-1251', 'windows-1251', SAMPLES.russian],
  ])('decodes %s declared in the Content-Type header', (label, expected, [title, body]) => {
    const doc = rss(title, body);
    const out = decodeFeedBytes(iconv.encode(doc, label), `application/rss+xml; charset=${label}`);
    expect(out).toEqual({ text: doc, charset: expected });
  });

  it.each([
    ['gbk', SAMPLES.chinese],
    ['big5', SAMPLES.traditional],
    ['shift_jis', SAMPLES.japanese],
    ['koi8-r', SAMPLES.russian],
    ['windows-1251', SAMPLES.russian],
  ])('decodes %s declared only in the XML declaration', (label, [title, body]) => {
    const doc = rss(title, body, label);
    const out = decodeFeedBytes(iconv.encode(doc, label), 'text/xml');
    expect(out.text).toBe(doc);
  });

  it('decodes ISO-8859-x declarations (ISO-8859-1 read as its windows-1252 superset)', () => {
    const doc = rss('Café “quoted”', 'naïve façade', 'ISO-8859-1');
    expect(decodeFeedBytes(iconv.encode(doc, 'windows-1252'))).toEqual({ text: doc, charset: 'windows-1252' });
    const polish = rss('Zażółć gęślą jaźń', 'Łódź', 'ISO-8859-2');
    expect(decodeFeedBytes(iconv.encode(polish, 'iso-8859-2'))).toEqual({ text: polish, charset: 'iso-8859-2' });
  });

  it('reads GB2312-labelled text that uses GBK-only characters (gb18030 superset)', () => {
    // 镕 and 啰 are outside GB2312 proper but common in "gb2312" feeds.
    const doc = rss('朱镕基', '啰嗦的说明文字，这是一个测试。', 'gb2312');
    expect(decodeFeedBytes(iconv.encode(doc, 'gbk'), 'text/xml; charset=gb2312').text).toBe(doc);
  });
});

describe('decodeFeedBytes: byte-order marks and UTF-16/32', () => {
  const doc = rss('Grüße aus Köln', 'Ünïcödé – “quotes” – 中文', 'UTF-16');

  it('honours a UTF-16LE BOM over a contradicting header', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(doc, 'utf-16le')]);
    expect(decodeFeedBytes(bytes, 'text/xml; charset=iso-8859-1')).toEqual({ text: doc, charset: 'utf-16le' });
  });

  it('honours a UTF-16BE BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(doc, 'utf-16be')]);
    expect(decodeFeedBytes(bytes)).toEqual({ text: doc, charset: 'utf-16be' });
  });

  it('honours UTF-32 BOMs', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), iconv.encode(doc, 'utf-32le')]);
    const be = Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), iconv.encode(doc, 'utf-32be')]);
    expect(decodeFeedBytes(le)).toEqual({ text: doc, charset: 'utf-32le' });
    expect(decodeFeedBytes(be)).toEqual({ text: doc, charset: 'utf-32be' });
  });

  it('recognises UTF-16 without a BOM from the shape of `<?xml`', () => {
    expect(decodeFeedBytes(iconv.encode(doc, 'utf-16le'))).toEqual({ text: doc, charset: 'utf-16le' });
    expect(decodeFeedBytes(iconv.encode(doc, 'utf-16be'))).toEqual({ text: doc, charset: 'utf-16be' });
  });

  it('strips a UTF-8 BOM and lets it override a legacy header', () => {
    const utf8 = rss('Grüße', 'Köln');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8)]);
    expect(decodeFeedBytes(bytes, 'text/xml; charset=windows-1251')).toEqual({ text: utf8, charset: 'utf-8' });
  });
});

describe('decodeFeedBytes: contradictions and detection', () => {
  it('prefers the XML declaration when the header says UTF-8 but the bytes are GBK', () => {
    const [title, body] = SAMPLES.chinese;
    const doc = rss(title, body, 'gbk');
    expect(decodeFeedBytes(iconv.encode(doc, 'gbk'), 'application/rss+xml; charset=utf-8')).toEqual({ text: doc, charset: 'gb18030' });
  });

  it('keeps valid UTF-8 as UTF-8 despite a stale legacy label (ISO-8859-1 server default, copied <?xml encoding>)', () => {
    const doc = rss('Grüße – “smart quotes”', 'Привет, 世界', 'ISO-8859-1');
    expect(decodeFeedBytes(Buffer.from(doc), 'text/xml; charset=ISO-8859-1')).toEqual({ text: doc, charset: 'utf-8' });
  });

  it.each([
    ['gbk', 'gb18030', SAMPLES.chinese],
    ['big5', 'big5', SAMPLES.traditional],
    ['shift_jis', 'shift_jis', SAMPLES.japanese],
    ['euc-kr', 'euc-kr', SAMPLES.korean],
    ['windows-1251', 'windows-1251', SAMPLES.russian],
    ['koi8-r', 'koi8-r', SAMPLES.russian],
  ])('detects undeclared %s bytes', (label, expected, [title, body]) => {
    const doc = rss(title, body);
    expect(decodeFeedBytes(iconv.encode(doc, label), 'text/xml')).toEqual({ text: doc, charset: expected });
  });

  // Issue 20: a mostly-ASCII feed labelled UTF-8 with a few invalid bytes was
  // re-decoded whole as windows-1252 (every stray byte a plausible Latin-1 letter).
  it('reads a mostly-ASCII feed labelled UTF-8 with a few invalid bytes as UTF-8, the bad bytes as U+FFFD', () => {
    const items = Array.from({ length: 40 }, (_, i) => `<item><title>Item ${i}</title><guid>g-${i}</guid><description>Plain English text number ${i}.</description></item>`);
    const head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>ascii</title>';
    const bytes = Buffer.concat([
      Buffer.from(head + items.slice(0, 20).join('') + '<item><title>cut '),
      Buffer.from([0xa0, 0xe9]), // an orphan continuation byte and a stray Latin-1 é
      Buffer.from(' here</title></item>' + items.slice(20).join('') + '<item><title>end'),
      Buffer.from([0xc3]), // a character cut in half
      Buffer.from('</title></item></channel></rss>'),
    ]);
    const expected = `${head}${items.slice(0, 20).join('')}<item><title>cut \uFFFD\uFFFD here</title></item>${items.slice(20).join('')}<item><title>end\uFFFD</title></item></channel></rss>`;
    expect(decodeFeedBytes(bytes)).toEqual({ text: expected, charset: 'utf-8' });
    expect(decodeFeedBytes(bytes, 'application/rss+xml; charset=UTF-8')).toEqual({ text: expected, charset: 'utf-8' });
  });

  it('still reads Latin-1 text mislabelled UTF-8 (a malformed byte in every word or two) as windows-1252', () => {
    const doc = rss('Café “quoted”', 'naïve façade, déjà vu, résumé', 'utf-8');
    expect(decodeFeedBytes(iconv.encode(doc, 'windows-1252'), 'text/xml; charset=utf-8')).toEqual({ text: doc, charset: 'windows-1252' });
  });

  it('treats ASCII as UTF-8 unless labelled otherwise', () => {
    expect(decodeFeedBytes(Buffer.from('<rss/>'))).toEqual({ text: '<rss/>', charset: 'utf-8' });
    expect(decodeFeedBytes(Buffer.from('<rss/>'), 'text/xml; charset="windows-1251"')).toEqual({ text: '<rss/>', charset: 'windows-1251' });
  });

  it('ignores unknown labels and never throws on junk', () => {
    expect(decodeFeedBytes(Buffer.from('<a>é</a>'), 'text/xml; charset=x-klingon').charset).toBe('utf-8');
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const out = decodeFeedBytes(junk, 'text/xml; charset=utf-8');
    expect(typeof out.text).toBe('string');
    expect(out.text.length).toBeGreaterThan(0);
  });

  it('reads JSON as UTF-8', () => {
    const json = JSON.stringify({ title: 'Ünïcode ✓' });
    expect(decodeFeedBytes(Buffer.from(json), 'application/feed+json')).toEqual({ text: json, charset: 'utf-8' });
  });
});

describe('normalizeCharset', () => {
  it('maps labels to the codecs browsers use', () => {
    expect(normalizeCharset('GB2312')).toBe('gb18030');
    expect(normalizeCharset('"Shift-JIS"')).toBe('shift_jis');
    expect(normalizeCharset('ISO-8859-1')).toBe('windows-1252');
    expect(normalizeCharset('UTF8')).toBe('utf-8');
    expect(normalizeCharset('ks_c_5601-1987')).toBe('euc-kr');
    expect(normalizeCharset('nonsense')).toBeUndefined();
  });
});

describe('charsets end to end', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('fetches and parses a GBK feed served with a GBK header and declaration', async () => {
    const [title, body] = SAMPLES.chinese;
    const bytes = iconv.encode(rss(title, body, 'gbk'), 'gbk');
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml; charset=GBK' }).end(bytes));
    const out = await fetchFeed({ url: `${server.url}/gbk.xml`, settings: testSettings() });
    expect(out.kind).toBe('ok');
    if (out.kind !== 'ok') return;
    expect(out.charset).toBe('gb18030');
    expect(out.feed.title).toBe(title);
    expect(out.feed.items[0].html).toBe(body);
  });

  it('fetches undeclared GBK bytes (no header charset, no declaration) by detection', async () => {
    const [title, body] = SAMPLES.chinese;
    const bytes = iconv.encode(rss(title, body), 'gbk');
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(bytes));
    const out = await fetchFeed({ url: `${server.url}/gbk.xml`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'ok', charset: 'gb18030', feed: { title } });
  });

  it('fetches a UTF-16 feed with a BOM', async () => {
    const doc = rss('Grüße', 'UTF-16 body ✓', 'UTF-16');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(doc, 'utf-16le')]);
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(bytes));
    const out = await fetchFeed({ url: `${server.url}/u16.xml`, settings: testSettings() });
    expect(out).toMatchObject({ kind: 'ok', charset: 'utf-16le', feed: { title: 'Grüße', items: [{ html: 'UTF-16 body ✓' }] } });
  });
});
