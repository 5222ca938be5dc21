import { describe, expect, it } from 'vitest';
import { findFeedLinks } from '../../src/fetch/feed-links.ts';
import { fixtureText } from './helpers.ts';

describe('findFeedLinks', () => {
  it('lists RSS, Atom and JSON Feed alternates, absolute, in page order, with titles', () => {
    expect(findFeedLinks(fixtureText('page-with-alternates.html'), 'https://example.com/blog/')).toEqual([
      { url: 'https://example.com/feed.xml', type: 'application/rss+xml', title: 'Posts (RSS)' },
      { url: 'https://example.com/atom.xml', type: 'application/atom+xml', title: 'Posts (Atom)' },
      { url: 'https://example.com/blog/feed.json', type: 'application/feed+json', title: 'JSON Feed' },
    ]);
  });

  it('honours <base href>, case-insensitive rel tokens and type parameters, and drops duplicates', () => {
    const html = `<HTML><HEAD><BASE HREF="https://cdn.example.net/site/">
      <LINK REL="Alternate Feed" TYPE="Application/RSS+XML; charset=utf-8" HREF="rss.xml">
      <link rel="alternate" type="application/rss+xml" href="https://cdn.example.net/site/rss.xml">
      <link rel="alternate" type="application/json" title="JSON Feed" href="/feed.json">
      <link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">
      <link rel="alternate" type="text/html" href="/print">`;
    expect(findFeedLinks(html, 'https://example.net/page')).toEqual([
      { url: 'https://cdn.example.net/site/rss.xml', type: 'application/rss+xml' },
      { url: 'https://cdn.example.net/feed.json', type: 'application/json', title: 'JSON Feed' },
    ]);
  });

  it('decodes entities in attribute values', () => {
    expect(findFeedLinks('<link rel="alternate" type="application/atom+xml" href="/feed?a=1&amp;b=2">', 'https://x.example/')[0].url).toBe(
      'https://x.example/feed?a=1&b=2',
    );
  });

  it('returns nothing for pages without alternates or for garbage', () => {
    expect(findFeedLinks('<html><head><title>x</title></head></html>', 'https://x.example/')).toEqual([]);
    expect(findFeedLinks('\u0000\u0001<<<>>>"\'', 'not a url')).toEqual([]);
  });
});
