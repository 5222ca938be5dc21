import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/fetch/parse.ts';

// The feed-level image a channel feed republishes (issue 22): only an
// absolute http(s) URL, resolved against the feed's base.

const rss = (channelExtra: string) =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title><link>https://a.example/</link>${channelExtra}<item><title>i</title><link>https://a.example/1</link></item></channel></rss>`;
const atom = (extra: string) =>
  `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>${extra}<entry><id>urn:1</id><title>i</title><updated>2024-01-01T00:00:00Z</updated></entry></feed>`;
const json = (extra: object) => JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', ...extra, items: [{ id: '1', content_text: 'x' }] });

describe('feed image', () => {
  it('RSS: <image><url>, resolved against the feed URL; else itunes:image', () => {
    expect(parseFeed(rss('<image><url>/logo.png</url><title>T</title><link>https://a.example/</link></image>'), 'https://a.example/feed.xml').image).toBe('https://a.example/logo.png');
    expect(parseFeed(rss('<itunes:image href="https://cdn.example/art.jpg"/>'), 'https://a.example/feed.xml').image).toBe('https://cdn.example/art.jpg');
    expect(parseFeed(rss('<image><url>https://a.example/i.png</url></image><itunes:image href="https://cdn.example/art.jpg"/>'), 'https://a.example/f').image).toBe(
      'https://a.example/i.png',
    );
  });

  it('Atom: <icon>, else <logo>, against xml:base', () => {
    expect(parseFeed(atom('<logo>https://a.example/logo.png</logo><icon>https://a.example/icon.png</icon>'), 'https://a.example/atom').image).toBe('https://a.example/icon.png');
    expect(parseFeed(atom('<logo>img/logo.png</logo>'), 'https://a.example/feeds/atom').image).toBe('https://a.example/feeds/img/logo.png');
  });

  it('JSON Feed: icon, else favicon; only absolute http(s)', () => {
    expect(parseFeed(json({ icon: 'https://a.example/icon.png', favicon: 'https://a.example/fav.ico' }), 'https://a.example/feed.json').image).toBe('https://a.example/icon.png');
    expect(parseFeed(json({ favicon: 'https://a.example/fav.ico' }), 'https://a.example/feed.json').image).toBe('https://a.example/fav.ico');
    expect(parseFeed(json({ icon: 'javascript:alert(1)' }), 'https://a.example/feed.json').image).toBeUndefined();
  });

  it('nothing else counts: no image, or one that is not http(s)', () => {
    expect(parseFeed(rss(''), 'https://a.example/feed.xml').image).toBeUndefined();
    expect(parseFeed(rss('<image><url>data:image/png;base64,AAAA</url></image>'), 'https://a.example/feed.xml').image).toBeUndefined();
    expect(parseFeed(atom('<icon>ftp://a.example/i.png</icon>'), 'https://a.example/atom').image).toBeUndefined();
    // An endless URL is no image; the next candidate counts.
    const long = `https://a.example/${'x'.repeat(5000)}.png`;
    expect(parseFeed(atom(`<icon>${long}</icon><logo>https://a.example/logo.png</logo>`), 'https://a.example/atom').image).toBe('https://a.example/logo.png');
    expect(parseFeed(json({ icon: long }), 'https://a.example/feed.json').image).toBeUndefined();
  });
});
