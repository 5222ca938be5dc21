import { describe, expect, it } from 'vitest';
import { byteLength, durationSeconds } from '../../src/fetch/media-values.ts';
import { MAX_ENCLOSURES, MAX_TAG_LENGTH, MAX_TAGS } from '../../src/normalize/media.ts';
import { ctx, normalize, rawItem } from './helpers.ts';

// Enclosures and tags as an article carries them: read sizes and durations,
// absolute http(s) URLs, hostile values dropped, lists bounded.

describe('enclosure sizes and durations as feeds write them', () => {
  it('reads itunes:duration in every spelling Apple accepts', () => {
    expect(durationSeconds('1079')).toBe(1079);
    expect(durationSeconds(' 17:04 ')).toBe(1024);
    expect(durationSeconds('01:03:05')).toBe(3785);
    expect(durationSeconds('1:03:05')).toBe(3785);
    expect(durationSeconds('75:30')).toBe(4530);
    expect(durationSeconds('1234.6')).toBe(1235);
    expect(durationSeconds('0:59.5')).toBe(59);
    expect(durationSeconds(6629)).toBe(6629);
  });

  it('treats anything else as unknown', () => {
    for (const v of ['', 'oops', '-5', '0', '00:00', '1:60', '1:2:3:4', '12:75:00', '1e9', 'Infinity', '9'.repeat(40), NaN, -3, null, {}, undefined]) {
      expect(durationSeconds(v), String(v)).toBeUndefined();
    }
  });

  it('reads byte lengths; 0, negative, fractional or absurd ones are unknown', () => {
    expect(byteLength('498537')).toBe(498537);
    expect(byteLength(' 8727310 ')).toBe(8727310);
    expect(byteLength(89970236)).toBe(89970236);
    for (const v of ['0', '-1', '12.5', '1,000', '12 MB', '99999999999999999999', 0, 1.5, -1, null, 'x']) expect(byteLength(v), String(v)).toBeUndefined();
  });
});

describe('normalized enclosures', () => {
  it('are absolute http(s) URLs, each once, typed (from the extension when the feed says nothing), sized and timed', () => {
    const { article } = normalize(
      rawItem({
        title: 'T',
        link: 'https://pod.example/ep/1',
        enclosures: [
          { url: '/media/ep1.mp3', length: 12345, duration: 61 },
          { url: 'https://pod.example/media/ep1.mp3', type: 'audio/mpeg', length: 999 },
          { url: 'javascript:alert(1)', type: 'audio/mpeg' },
          { url: 'data:audio/mpeg;base64,AAAA', type: 'audio/mpeg' },
          { url: 'ftp://pod.example/ep1.ogg', type: 'audio/ogg' },
          { url: 'https://pod.example/notes.pdf', type: 'Application/PDF; charset=binary' },
          { url: 'https://pod.example/weird', type: '"><script>' },
        ],
      }),
      ctx(),
    );
    expect(article.enclosures).toEqual([
      { url: 'https://pod.example/media/ep1.mp3', type: 'audio/mpeg', length: 12345, duration: 61 },
      { url: 'https://pod.example/notes.pdf', type: 'application/pdf' },
      { url: 'https://pod.example/weird' },
    ]);
  });

  it('drop sizes and durations that are not positive integers, even when a reader let them through', () => {
    const { article } = normalize(
      rawItem({ title: 'T', link: 'https://pod.example/1', enclosures: [{ url: 'https://pod.example/1.mp3', type: 'audio/mpeg', length: -1, duration: 1.5 }] }),
      ctx(),
    );
    expect(article.enclosures).toEqual([{ url: 'https://pod.example/1.mp3', type: 'audio/mpeg' }]);
  });

  it(`are at most ${MAX_ENCLOSURES} per article`, () => {
    const enclosures = Array.from({ length: 100 }, (_, i) => ({ url: `https://pod.example/${i}.mp3` }));
    expect(normalize(rawItem({ title: 'T', enclosures }), ctx()).article.enclosures).toHaveLength(MAX_ENCLOSURES);
  });
});

describe('normalized tags', () => {
  it('are the item\'s categories on one line each, distinct ignoring case, without the article\'s three level names', () => {
    const { article } = normalize(
      rawItem({ title: 'T', categories: [' Rust\n async ', 'rust async', 'Rust async', '新媒体', '', 'Go', 'go'] }),
      ctx(),
    );
    expect(article.tags).toEqual(['Rust async', 'Go']);
  });

  it(`are bounded: at most ${MAX_TAGS}, each at most ${MAX_TAG_LENGTH} characters`, () => {
    const { article } = normalize(rawItem({ title: 'T', categories: [...Array.from({ length: 500 }, (_, i) => `tag ${i}`), 'x'.repeat(10_000)] }), ctx());
    expect(article.tags).toHaveLength(MAX_TAGS);
    const long = normalize(rawItem({ title: 'T', categories: ['x'.repeat(10_000)] }), ctx()).article.tags[0];
    expect(Array.from(long).length).toBeLessThanOrEqual(MAX_TAG_LENGTH + 1);
  });

  it('ignore values of the wrong type', () => {
    const item = rawItem({ title: 'T' }) as unknown as Record<string, unknown>;
    item.categories = ['ok', 7, null, { x: 1 }];
    item.enclosures = [null, 'https://x.example/a.mp3', { url: ['https://x.example/c.mp3'] }, { url: 'https://x.example/b.mp3', length: '12' }];
    const { article } = normalize(item as never, ctx());
    expect(article.tags).toEqual(['ok', '7']);
    expect(article.enclosures).toEqual([{ url: 'https://x.example/b.mp3', type: 'audio/mpeg' }]);
  });
});

describe('summary, updated date and guid permalink', () => {
  it('keep the source\'s summary as plain text when the body is something else', () => {
    const { article } = normalize(rawItem({ title: 'T', html: '<p>Body</p>', summary: '<p>Short <b>and</b> sweet</p>' }), ctx());
    expect(article.summary).toBe('Short and sweet');
    expect(normalize(rawItem({ title: 'T', summary: '<p>Only this</p>' }), ctx()).article.summary).toBeUndefined();
  });

  it('bound the summary to 500 characters, reading no more of a huge one than that', () => {
    const started = performance.now();
    const { article } = normalize(rawItem({ title: 'T', html: '<p>Body</p>', summary: `<p>${'word '.repeat(1_000_000)}</p>` }), ctx());
    expect(performance.now() - started).toBeLessThan(2000);
    expect(Array.from(article.summary!).length).toBeLessThanOrEqual(500);
    expect(article.summary!.endsWith('…')).toBe(true);
  });

  it('keep an update date only when it is after the item\'s date and not in the future', () => {
    const at = (updated: string) => normalize(rawItem({ title: 'T', date: '2024-04-01T00:00:00Z', updated }), ctx()).article.updated;
    expect(at('2024-04-02T10:00:00.750Z')).toEqual(new Date('2024-04-02T10:00:00Z'));
    expect(at('2024-03-01T00:00:00Z')).toBeUndefined();
    expect(at('2030-01-01T00:00:00Z')).toBeUndefined();
    expect(at('not a date')).toBeUndefined();
  });

  it('keep guidIsPermaLink only when the source said it of a guid', () => {
    expect(normalize(rawItem({ title: 'T', guid: 'abc', guidIsPermaLink: false }), ctx()).article.guidIsPermaLink).toBe(false);
    expect(normalize(rawItem({ title: 'T', guid: 'abc' }), ctx()).article).not.toHaveProperty('guidIsPermaLink');
    expect(normalize(rawItem({ title: 'T', link: 'https://x.example/1', guidIsPermaLink: true }), ctx()).article).not.toHaveProperty('guidIsPermaLink');
  });
});
