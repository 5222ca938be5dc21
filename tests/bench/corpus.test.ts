import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { channelFeedXml, channelSpec, channelValidators, syntheticItem } from '../../bench/corpus.ts';

const SEED = 7;
const parser = new Parser<Record<string, unknown>, { 'content:encoded'?: string; id?: string }>();

describe('bench corpus', () => {
  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    for (const channel of [0, 1]) {
      const a = channelFeedXml(SEED, channel, 5);
      expect(channelFeedXml(SEED, channel, 5)).toBe(a);
      expect(channelFeedXml(SEED + 1, channel, 5)).not.toBe(a);
    }
  });

  it('alternates RSS 2.0 and Atom 1.0, and rss-parser reads every item back', async () => {
    for (const channel of [10, 11]) {
      const xml = channelFeedXml(SEED, channel, 6);
      if (channelSpec(channel).format === 'rss') expect(xml).toMatch(/<rss version="2\.0"/);
      else expect(xml).toMatch(/<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
      const feed = await parser.parseString(xml);
      expect(feed.items).toHaveLength(6);
      // Newest first, each item exactly as generated.
      feed.items.forEach((got, k) => {
        const want = syntheticItem(SEED, channel, 5 - k);
        expect(got.title).toBe(want.title);
        expect(got.link).toBe(want.link);
        expect(got.guid ?? got.id).toBe(want.guid);
        expect(new Date(got.isoDate!).getTime()).toBe(want.date.getTime());
        expect(got['content:encoded'] ?? got.content).toBe(want.html);
      });
    }
  });

  it('gives ~4 KB HTML bodies with paragraphs, images, links and some CJK', () => {
    const items = Array.from({ length: 40 }, (_, j) => syntheticItem(SEED, 3, j));
    const mean = items.reduce((n, it) => n + Buffer.byteLength(it.html), 0) / items.length;
    expect(mean).toBeGreaterThan(3000);
    expect(mean).toBeLessThan(5000);
    for (const it of items) {
      expect(it.html).toMatch(/<p>/);
      expect(it.html).toMatch(/<img src="https:\/\/img\.example\.test\//);
    }
    expect(items.some((it) => /<a href="https:\/\//.test(it.html))).toBe(true);
    expect(items.some((it) => /[\u4e00-\u9fff]/.test(it.html))).toBe(true);
  });

  it('adding an item keeps the others and changes the validators', async () => {
    const before = await parser.parseString(channelFeedXml(SEED, 4, 3));
    const after = await parser.parseString(channelFeedXml(SEED, 4, 4));
    expect(after.items.slice(1).map((i) => i.guid)).toEqual(before.items.map((i) => i.guid));
    expect(new Date(after.items[0].isoDate!).getTime()).toBeGreaterThan(new Date(before.items[0].isoDate!).getTime());
    const v3 = channelValidators(SEED, 4, 3);
    const v4 = channelValidators(SEED, 4, 4);
    expect(v4.etag).not.toBe(v3.etag);
    expect(Date.parse(v4.lastModified)).toBeGreaterThan(Date.parse(v3.lastModified));
  });

  it('gives every channel its own links and guids', () => {
    const links = new Set<string>();
    for (let c = 0; c < 20; c++) for (let j = 0; j < 3; j++) links.add(syntheticItem(SEED, c, j).link).add(syntheticItem(SEED, c, j).guid);
    expect(links.size).toBe(20 * 3 * 2);
  });
});
