import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { channelFeedXml, DEFAULT_SEED } from '../../bench/corpus.ts';
import type { ParsedFeed } from '../../src/core/types.ts';
import { decodeFeedBytes, FeedParseError, parseFeed } from '../../src/fetch/index.ts';
import { readProlog } from '../../src/fetch/prolog.ts';
import { formatOfRoot } from '../../src/fetch/read-xml.ts';
import { parseFeedDate } from '../../src/normalize/index.ts';
import { feedparserOrSkip, feedparserRead, type FeedparserFeed } from '../helpers/feedparser.ts';
import { FIDELITY_FEEDS } from './fidelity-feeds.ts';

// Issue 19: Python feedparser as a second reference reader, beside
// rss-parser (reference-reader.test.ts). Over every XML feed among the
// fixtures, issue 19's feeds (fidelity-feeds.ts) and a sample of the bench
// corpus, refeed must find the same number of items, with the same title as
// a reader sees it, link, date (the instant) and author. Where refeed is
// deliberately different, the difference is a named exception with its
// reason; any other difference fails, and so does an exception that no
// longer matches anything (so the list stays true).

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const DOC_URL = 'https://reference.example/feed';

interface Doc {
  name: string;
  bytes: Buffer;
}

/** Every fixture file whose root element is a feed's (OPML, sitemaps, schemas and HTML fall out). */
function fixtureFeeds(): Doc[] {
  const out: Doc[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith('.xml')) {
        const bytes = readFileSync(file);
        const root = readProlog(bytes.toString('utf8').replace(/^[\s\uFEFF]+/, ''));
        if (root && formatOfRoot(root)) out.push({ name: path.relative(FIXTURES, file), bytes });
      }
    }
  };
  walk(FIXTURES);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const docs: Doc[] = [
  ...fixtureFeeds(),
  ...FIDELITY_FEEDS.map((f) => ({ name: f.name, bytes: Buffer.from(f.text, 'utf8') })),
  ...Array.from({ length: 8 }, (_, i) => ({ name: `bench corpus channel ${i}`, bytes: Buffer.from(channelFeedXml(DEFAULT_SEED, i, 10), 'utf8') })),
];

type Field = 'outcome' | 'count' | 'title' | 'link' | 'date' | 'author';

interface Exception {
  doc: string;
  field: Field;
  /** Item index, when the difference is about one item. */
  item?: number;
  reason: string;
}

const ATOM_INHERIT = 'RFC 4287 §4.2.1: an entry without an author takes the feed’s; feedparser leaves the entry without one';
const GUID_NOT_URL = 'RSS 2.0: a guid is the item’s URL only when it is one; feedparser resolves any guid (`odd-cjk`) as a relative URL';

/** Differences where refeed is right, each with the spec or the reason. */
const EXCEPTIONS: Exception[] = [
  // Semantics feedparser does not implement.
  { doc: 'fetch/atom03.xml', field: 'author', reason: ATOM_INHERIT },
  { doc: 'fetch/atom1.xml', field: 'author', item: 1, reason: ATOM_INHERIT },
  { doc: 'fetch/atom1.xml', field: 'author', item: 2, reason: ATOM_INHERIT },
  { doc: 'publish/roundtrip/blog.atom.xml', field: 'author', reason: ATOM_INHERIT },
  { doc: 'fetch/rdf.xml', field: 'link', item: 1, reason: 'RSS 1.0: rdf:about names the item, so it is the link of an item without <link>; feedparser gives none' },
  { doc: 'class 8: podcast fallbacks', field: 'title', item: 0, reason: 'Apple’s podcast spec: <itunes:title> is the episode’s title; feedparser 6.0 does not read it (issue 19 asks for it)' },
  // Guids that are not URLs.
  { doc: 'hostile/items-odd-dates.xml', field: 'link', reason: GUID_NOT_URL },
  // Dates feedparser misreads or cannot read.
  { doc: 'hostile/items-odd-dates.xml', field: 'date', item: 0, reason: '2024年04月02日 16:30: feedparser’s date handlers misread the CJK date as another day' },
  { doc: 'hostile/items-odd-dates.xml', field: 'date', item: 2, reason: 'a Unix timestamp (1712275200): feedparser reads its first digits as the year 1712' },
  { doc: 'hostile/items-odd-dates.xml', field: 'date', item: 3, reason: 'a US-style date (April 6, 2024 8:00 PM): feedparser cannot read it' },
  // Broken XML: refeed's repairs against feedparser's loose parser.
  { doc: 'fetch/broken-entities.xml', field: 'title', item: 0, reason: 'a stray `&T` at the end of a title is text: feedparser’s loose parser makes it the reference `&T;`' },
  { doc: 'hostile/malformed.xml', field: 'title', item: 0, reason: '</titel> for </title>: refeed reads it as the misspelt end tag (recovered); feedparser loses the title and the link after it' },
  { doc: 'hostile/malformed.xml', field: 'link', item: 0, reason: '</titel> for </title>: refeed reads it as the misspelt end tag (recovered); feedparser loses the title and the link after it' },
  { doc: 'hostile/truncated.xml', field: 'count', reason: 'cut off mid-item: refeed drops the incomplete item (recovered); feedparser keeps its fragment' },
];

interface Item {
  title?: string;
  link?: string;
  /** Epoch seconds. */
  date?: number;
  author?: string;
}

interface Side {
  ok: boolean;
  error?: string;
  items: Item[];
}

const collapse = (s: string | null | undefined) => s?.replace(/\s+/g, ' ').trim() || undefined;
/** RSS `author` is often `mail@example.com (Name)`: both readers' authors are compared as the name a reader is shown. */
const shownAuthor = (s: string | null | undefined) => {
  const v = collapse(s);
  const m = v === undefined ? null : /^\S+@\S+ \((.+)\)$/.exec(v);
  return m ? m[1] : v;
};
const resolve = (href: string | undefined, base: string) => {
  if (href === undefined) return undefined;
  try {
    return new URL(href, base).href;
  } catch {
    return href;
  }
};

function refeedSide(doc: Doc): Side {
  let feed: ParsedFeed;
  try {
    feed = parseFeed(decodeFeedBytes(doc.bytes, undefined).text, DOC_URL);
  } catch (err) {
    if (!(err instanceof FeedParseError)) throw err;
    return { ok: false, error: err.message, items: [] };
  }
  return {
    ok: true,
    items: feed.items.map((i) => {
      const date = i.date === undefined ? undefined : parseFeedDate(i.date);
      return {
        title: collapse(i.title),
        // What the normalizer does with the link: resolved against the item's xml:base, the feed's, or the document's URL.
        link: resolve(i.link, i.base ?? feed.base ?? DOC_URL),
        date: date === undefined ? undefined : Math.floor(date.getTime() / 1000),
        author: shownAuthor(i.author),
      };
    }),
  };
}

function referenceSide(f: FeedparserFeed): Side {
  // feedparser reads what it can of anything; a document it found no feed in is its failure.
  if (f.version === '' && f.items.length === 0) return { ok: false, error: 'feedparser found no feed', items: [] };
  return {
    ok: true,
    items: f.items.map((i) => ({
      title: collapse(i.title),
      link: i.link ?? undefined,
      date: i.date ?? undefined,
      author: shownAuthor(i.author),
    })),
  };
}

interface Difference {
  doc: string;
  field: Field;
  item?: number;
  refeed: unknown;
  feedparser: unknown;
}

function differences(doc: string, ours: Side, ref: Side): Difference[] {
  if (ours.ok !== ref.ok) return [{ doc, field: 'outcome', refeed: ours.error ?? 'ok', feedparser: ref.error ?? 'ok' }];
  if (!ours.ok) return [];
  const out: Difference[] = [];
  if (ours.items.length !== ref.items.length) out.push({ doc, field: 'count', refeed: ours.items.length, feedparser: ref.items.length });
  const n = Math.min(ours.items.length, ref.items.length);
  for (let k = 0; k < n; k++) {
    for (const field of ['title', 'link', 'date', 'author'] as const) {
      if (ours.items[k][field] !== ref.items[k][field]) out.push({ doc, field, item: k, refeed: ours.items[k][field], feedparser: ref.items[k][field] });
    }
  }
  return out;
}

const covers = (e: Exception, d: Difference) => e.doc === d.doc && e.field === d.field && (e.item === undefined || e.item === d.item);

const present = feedparserOrSkip();

describe.skipIf(!present)('refeed’s readers against Python feedparser (the second reference)', () => {
  it('covers the fixture feeds, issue 19’s feeds and the bench corpus', () => {
    expect(docs.length).toBeGreaterThanOrEqual(40);
    expect(docs.map((d) => d.name)).toEqual(expect.arrayContaining(['fetch/rss2.xml', 'fetch/atom1.xml', 'fetch/rdf.xml', 'class 1: nested itunes:category']));
  });

  it('finds the same items, titles, links, dates and authors, but for the named exceptions', () => {
    const read = feedparserRead(docs.map((d) => ({ name: d.name, bytes: d.bytes, url: DOC_URL })));
    expect(read.map((f) => f.name)).toEqual(docs.map((d) => d.name));
    const found = docs.flatMap((doc, k) => differences(doc.name, refeedSide(doc), referenceSide(read[k])));
    const unexplained = found.filter((d) => !EXCEPTIONS.some((e) => covers(e, d)));
    const stale = EXCEPTIONS.filter((e) => !found.some((d) => covers(e, d)));
    expect(unexplained, 'differences with no named exception').toEqual([]);
    expect(stale, 'exceptions that no longer match any difference').toEqual([]);
  });

  it('agrees on every class of issue 19 but the one where the issue asks refeed to differ', () => {
    expect(EXCEPTIONS.filter((e) => e.doc.startsWith('class ')).map((e) => e.doc)).toEqual(['class 8: podcast fallbacks']);
  });
});
