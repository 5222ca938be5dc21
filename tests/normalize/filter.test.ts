import { describe, expect, it } from 'vitest';
import type { ChannelSettings, RawItem } from '../../src/core/types.ts';
import { createChannelNormalizer, newestCandidates } from '../../src/normalize/index.ts';
import { channel, rawItem, settings } from './helpers.ts';

const NOW = new Date('2024-05-01T00:00:00Z');
const DAY = 86400_000;
const titles = (items: RawItem[]) => items.map((i) => i.title);
/** The items a channel with these settings keeps. */
const filterItems = (items: RawItem[], s: ChannelSettings, now: Date) => createChannelNormalizer({ ...channel(), settings: s }, { fallbackImage: '' }).filter(items, now);

describe('ChannelNormalizer.filter', () => {
  const items = [
    rawItem({ title: 'Rust 2024 released', html: '<p>The <b>compiler</b> news</p>' }),
    rawItem({ title: 'Weekly ad roundup', html: '<p>Sponsored content</p>' }),
    rawItem({ title: '产品经理的一天', html: '<p>关于 AI 的思考</p>' }),
    rawItem({ title: 'Plain', summary: 'mentions PYTHON in the summary' }),
  ];

  it('keeps everything when nothing is set', () => {
    expect(filterItems(items, settings(), NOW)).toEqual(items);
  });

  it('include: keeps items matching any pattern, case-insensitively, in title or content text', () => {
    expect(titles(filterItems(items, settings({ include: ['rust', 'python'] }), NOW))).toEqual(['Rust 2024 released', 'Plain']);
    expect(titles(filterItems(items, settings({ include: ['the compiler news'] }), NOW))).toEqual(['Rust 2024 released']);
    expect(titles(filterItems(items, settings({ include: ['SPONSORED'] }), NOW))).toEqual(['Weekly ad roundup']);
  });

  it('exclude: drops items matching any pattern', () => {
    expect(titles(filterItems(items, settings({ exclude: ['sponsored|\\bad\\b'] }), NOW))).toEqual(['Rust 2024 released', '产品经理的一天', 'Plain']);
  });

  it('matches text, not markup', () => {
    expect(titles(filterItems(items, settings({ exclude: ['<b>', 'p>'] }), NOW))).toHaveLength(4);
  });

  it('handles unicode patterns', () => {
    expect(titles(filterItems(items, settings({ include: ['产品'] }), NOW))).toEqual(['产品经理的一天']);
    expect(titles(filterItems(items, settings({ include: ['\\p{Han}{4}'] }), NOW))).toEqual(['产品经理的一天']);
    expect(titles(filterItems(items, settings({ include: ['\\bai\\b'] }), NOW))).toEqual(['产品经理的一天']);
    // inline markup does not split words
    const cjk = [rawItem({ title: 'x', html: '<p>产品<b>经理</b></p><p>第二段</p>' })];
    expect(filterItems(cjk, settings({ include: ['产品经理'] }), NOW)).toHaveLength(1);
    expect(filterItems(cjk, settings({ include: ['经理第二段'] }), NOW)).toHaveLength(0);
  });

  it('include and exclude together: exclude wins', () => {
    expect(titles(filterItems(items, settings({ include: ['e'], exclude: ['weekly'] }), NOW))).toEqual(['Rust 2024 released', 'Plain']);
  });

  it('max age: drops older items, keeps undated and unreadable dates', () => {
    const dated = [
      rawItem({ title: 'new', date: new Date(NOW.getTime() - 1 * DAY).toUTCString() }),
      rawItem({ title: 'old', date: new Date(NOW.getTime() - 10 * DAY).toUTCString() }),
      rawItem({ title: 'undated' }),
      rawItem({ title: 'garbled', date: 'not a date' }),
      rawItem({ title: 'chinese old', date: '2020年01月01日' }),
    ];
    expect(titles(filterItems(dated, settings({ maxAgeMs: 7 * DAY }), NOW))).toEqual(['new', 'undated', 'garbled']);
  });

  it('leaves the limit to the date order: it keeps every matching item', () => {
    expect(titles(filterItems(items, settings({ limit: 2 }), NOW))).toHaveLength(4);
  });

  it('survives junk: non-array input, non-object items, an invalid pattern (matched literally)', () => {
    expect(filterItems(undefined as unknown as RawItem[], settings(), NOW)).toEqual([]);
    expect(filterItems([null, 3, rawItem({ title: 'ok' })] as unknown as RawItem[], settings(), NOW)).toHaveLength(1);
    expect(titles(filterItems([rawItem({ title: 'a (b' }), rawItem({ title: 'c' })], settings({ include: ['(b'] }), NOW))).toEqual(['a (b']);
  });
});

describe('newestCandidates', () => {
  const at = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toUTCString();

  it('takes the newest by date whatever the document order: a feed listed oldest first keeps its new items', () => {
    // 80 items, oldest first, limit 50: the 50 newest (30…79), not the first 50 in the document.
    const ascending = Array.from({ length: 80 }, (_, i) => rawItem({ title: `i${i}`, date: at(i) }));
    const kept = titles(newestCandidates(ascending, 50, NOW));
    expect(kept).toHaveLength(50);
    expect(kept[0]).toBe('i79');
    expect(new Set(kept)).toEqual(new Set(Array.from({ length: 50 }, (_, k) => `i${79 - k}`)));
    // One more item upstream: it is kept, the oldest of the 50 goes.
    const grown = [...ascending, rawItem({ title: 'i80', date: at(80) })];
    expect(titles(newestCandidates(grown, 50, NOW))).toContain('i80');
    expect(titles(newestCandidates(grown, 50, NOW))).not.toContain('i30');
  });

  it('keeps undated (and far-future) items as candidates: their date is their first-seen time, which the store knows', () => {
    const mixed = [rawItem({ title: 'old', date: at(1) }), rawItem({ title: 'undated' }), rawItem({ title: 'new', date: at(5) }), rawItem({ title: 'future', date: 'Mon, 01 Jan 2099 00:00:00 GMT' })];
    expect(titles(newestCandidates(mixed, 1, NOW))).toEqual(['new', 'undated']);
    expect(titles(newestCandidates(mixed, 5, NOW))).toEqual(['new', 'old', 'undated', 'future']);
  });
});
