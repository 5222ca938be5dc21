import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Parser } from 'htmlparser2';
import type { Article, ChannelSettings, ParsedFeed, RawItem, ResolvedChannel } from '../../src/core/types.ts';
import { createArticleRenderer, createChannelNormalizer, type ItemContext, type NormalizedItem } from '../../src/normalize/index.ts';

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/normalize/${name}`, import.meta.url)), 'utf8');
}

export function settings(over: Partial<ChannelSettings> = {}): ChannelSettings {
  return {
    schedule: '*/30 * * * *',
    timeoutMs: 20_000,
    maxBytes: 10_000_000,
    maxRedirects: 5,
    userAgent: 'refeed-test',
    headers: {},
    include: [],
    exclude: [],
    rules: [],
    limit: 50,
    enabled: true,
    author: 'source',
    allowIframeHosts: [],
    allowPrivate: false,
    ...over,
  };
}

export function channel(over: Partial<ChannelSettings> = {}, names: [string, string, string] = ['新媒体', '人人都是产品经理', '最新文章']): ResolvedChannel {
  return {
    key: 'xmt/woshipm/latest',
    url: 'https://www.woshipm.com/feed',
    group: { name: names[0], slug: 'xmt' },
    source: { name: names[1], slug: 'woshipm' },
    channel: { name: names[2], slug: 'latest' },
    settings: settings(over),
    configPath: 'groups[0].sources[0].channels[0]',
  };
}

export function rawItem(over: Partial<RawItem> = {}): RawItem {
  return { enclosures: [], images: [], categories: [], ...over };
}

export const NOW = new Date('2024-05-01T12:00:00Z');
export const FIRST_SEEN = new Date('2024-04-30T08:15:30Z');

/** Everything one item's normalization depends on: the channel and its options, and the item's context. */
export interface TestContext extends ItemContext {
  channel: ResolvedChannel;
  fallbackImage: string;
}

export function ctx(over: Partial<TestContext> = {}, feed: Partial<ParsedFeed> = {}): TestContext {
  return {
    channel: channel(),
    feed: { format: 'rss', items: [], ...feed },
    feedUrl: 'https://feeds.example.com/rss.xml',
    firstSeen: FIRST_SEEN,
    now: NOW,
    fallbackImage: 'https://picsum.photos/400/300?random={n}',
    ...over,
  };
}

/** One item through a normalizer made for `c.channel` alone. */
export function normalize(item: RawItem, c: TestContext = ctx()): NormalizedItem {
  return createChannelNormalizer(c.channel, { fallbackImage: c.fallbackImage }).normalize(item, c);
}

/** An article file as normalize writes it (a fresh renderer: no memory from other tests). */
export function renderArticle(article: Article): string {
  return createArticleRenderer().render(article);
}

/** The seed article split into its parts (it starts with a blank line before `---`). */
export function seedParts(): { text: string; frontMatter: string; body: string } {
  const text = fixture('seed-article.md');
  const start = text.indexOf('---\n');
  const end = text.indexOf('\n---\n', start + 4) + '\n---\n'.length;
  const frontMatter = text.slice(start, end);
  const rest = text.slice(end);
  const body = rest.slice(rest.indexOf('<div>') + '<div>'.length, rest.lastIndexOf('</div>'));
  return { text, frontMatter, body };
}

export function squash(html: string): string {
  return html.replace(/\s+/g, ' ').replace(/> </g, '><').trim();
}

// ---------------------------------------------------------------- executable-content check

/** The elements the sanitizer may let through, stated here independently of its code (the tests' own allowlist). */
export const SAFE_TAGS: ReadonlySet<string> = new Set([
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'div', 'span', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'var',
  'b', 'i', 'u', 's', 'strike', 'del', 'ins', 'em', 'strong', 'small', 'big', 'sub', 'sup', 'mark', 'q', 'cite', 'abbr',
  'dfn', 'time', 'data', 'bdi', 'bdo', 'wbr', 'ruby', 'rb', 'rp', 'rt', 'rtc', 'a', 'address', 'article', 'aside',
  'footer', 'header', 'hgroup', 'main', 'nav', 'section', 'center', 'details', 'summary', 'ul', 'ol', 'li', 'dl', 'dt',
  'dd', 'menu', 'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
  'img', 'figure', 'figcaption', 'picture', 'source', 'video', 'audio', 'track', 'iframe',
]);
const URL_ATTRS = new Set(['href', 'src', 'poster', 'cite', 'action', 'formaction', 'xlink:href', 'background', 'data', 'srcdoc']);

/**
 * Everything in `html` that a browser could execute or that loads a document
 * we don't allow. Independent of the sanitizer: a raw scan of every `<`, then
 * a parse checking tags, attributes and URL schemes.
 */
export function executableFindings(html: string, allowedIframeHosts: string[] = []): string[] {
  const found: string[] = [];
  // Every '<' must open or close a known-safe tag: text and attribute values must hold none.
  for (const m of html.matchAll(/<(\/?)([^\s>/]*)/g)) {
    if (!SAFE_TAGS.has(m[2].toLowerCase())) found.push(`raw "<${m[1]}${m[2]}"`);
  }
  const parser = new Parser({
    onopentag(name, attribs) {
      if (!SAFE_TAGS.has(name)) found.push(`tag <${name}>`);
      for (const [attr, value] of Object.entries(attribs)) {
        if (attr.startsWith('on')) found.push(`${name}[${attr}]`);
        if (attr === 'style' || attr === 'srcdoc') found.push(`${name}[${attr}]`);
        const urls = attr === 'srcset' ? value.split(',').map((c) => c.trim().split(/\s+/)[0]) : URL_ATTRS.has(attr) ? [value] : [];
        for (const u of urls) {
          let scheme = 'relative:';
          try {
            scheme = new URL(u.trim(), 'https://relative.invalid/').protocol;
          } catch {
            found.push(`${name}[${attr}] unparseable`);
          }
          const ok = ['http:', 'https:', 'mailto:', 'tel:'].includes(scheme) || (name === 'img' && attr === 'src' && /^data:image\//i.test(u.trim()));
          if (!ok) found.push(`${name}[${attr}]=${u}`);
        }
      }
      if (name === 'iframe') {
        let host = '';
        try {
          host = new URL(attribs.src ?? '').hostname;
        } catch {
          /* reported below */
        }
        if (!allowedIframeHosts.includes(host)) found.push(`iframe from "${host}"`);
      }
    },
  });
  parser.write(html);
  parser.end();
  return found;
}
