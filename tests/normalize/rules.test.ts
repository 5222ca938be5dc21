import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/core/types.ts';
import { rawSubject } from '../../src/normalize/filter.ts';
import { compileRules, MAX_RULE_TEXT, type RuleSubject } from '../../src/normalize/rules.ts';
import { rawItem } from './helpers.ts';

// The one evaluator of keep/block rules (ingest, publish and preview all run
// it): each field and action, blocks before keeps, the include/exclude
// aliases, dates, max_age, and bounded work on a hostile body.

const rule = (action: Rule['action'], field: Rule['field'], value: string): Rule =>
  field === 'before' || field === 'after' ? { action, field, value, at: Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) } : { action, field, value };
const judge = (rules: Rule[], item: RuleSubject, extra: { include?: string[]; exclude?: string[]; maxAgeMs?: number } = {}, now?: number) =>
  compileRules({ rules, include: extra.include ?? [], exclude: extra.exclude ?? [], ...(extra.maxAgeMs !== undefined ? { maxAgeMs: extra.maxAgeMs } : {}) }).judge(item, now);

const ITEM: RuleSubject = {
  title: 'Sponsored: Porto wins the derby',
  link: 'https://example.com/ads/1',
  author: 'PR Newswire',
  tags: ['Football', 'betting'],
  text: () => 'A casino sponsors the match.',
  date: Date.UTC(2024, 5, 1),
};

describe('rules: the evaluator', () => {
  it('each field, blocking and keeping', () => {
    const cases: [Rule['field'], string, string][] = [
      ['title', '^Sponsored:', '^Benfica'],
      ['link', 'example\\.com/ads/', 'example\\.org'],
      ['author', '^PR Newswire$', '^PR$'],
      ['tag', '(?i)^betting$', '^bet$'],
      ['content', 'casino', 'derby'], // the title's "derby" is not the content's
      ['any', 'derby', 'lottery'], // any = title + content text
      ['before', '2024-06-02', '2024-06-01'], // strictly earlier than the instant
      ['after', '2024-06-01', '2024-06-01T00:00:01Z'], // at or after the instant
    ];
    for (const [field, hit, miss] of cases) {
      expect(judge([rule('block', field, hit)], ITEM), `block ${field}: ${hit}`).toEqual({ kept: false, reason: `block ${field}: ${JSON.stringify(hit)}` });
      expect(judge([rule('block', field, miss)], ITEM).kept, `block ${field}: ${miss}`).toBe(true);
      expect(judge([rule('keep', field, hit)], ITEM).kept, `keep ${field}: ${hit}`).toBe(true);
      expect(judge([rule('keep', field, miss)], ITEM), `keep ${field}: ${miss}`).toEqual({ kept: false, reason: `not matched by keep ${field}: ${JSON.stringify(miss)}` });
    }
  });

  it('patterns are case-sensitive unless (?i); include/exclude always ignore case', () => {
    expect(judge([rule('block', 'title', 'sponsored')], ITEM).kept).toBe(true);
    expect(judge([rule('block', 'title', '(?i)sponsored')], ITEM).kept).toBe(false);
    expect(judge([], ITEM, { exclude: ['SPONSORED'] })).toEqual({ kept: false, reason: 'exclude: "SPONSORED"' });
    expect(judge([], ITEM, { include: ['CASINO'] }).kept).toBe(true);
    expect(judge([], ITEM, { include: ['lottery'] })).toEqual({ kept: false, reason: 'not matched by include: "lottery"' });
  });

  it('blocks win over keeps, whatever their order or level; with several keeps, one match is enough', () => {
    expect(judge([rule('keep', 'title', 'Porto'), rule('block', 'tag', 'betting')], ITEM)).toEqual({ kept: false, reason: 'block tag: "betting"' });
    expect(judge([rule('block', 'tag', 'betting'), rule('keep', 'title', 'Porto')], ITEM).kept).toBe(false);
    expect(judge([rule('keep', 'title', 'Benfica'), rule('keep', 'tag', 'Football')], ITEM).kept).toBe(true);
    expect(judge([rule('keep', 'title', 'Benfica'), rule('keep', 'tag', 'Rugby')], ITEM)).toEqual({ kept: false, reason: 'matched by none of the 2 keep rules' });
    // The first block rule that matches is the reason given.
    expect(judge([rule('block', 'author', 'PR'), rule('block', 'title', 'Porto')], ITEM)).toEqual({ kept: false, reason: 'block author: "PR"' });
  });

  it('date rules and max_age: an item without a date passes them', () => {
    const undated = { ...ITEM, date: undefined };
    expect(judge([rule('block', 'before', '2030-01-01')], undated).kept).toBe(true);
    expect(judge([rule('keep', 'after', '2000-01-01')], undated).kept).toBe(false);
    const now = Date.UTC(2024, 5, 11);
    expect(judge([], ITEM, { maxAgeMs: 9 * 86_400_000 }, now)).toEqual({ kept: false, reason: 'older than max_age (9d)' });
    expect(judge([], ITEM, { maxAgeMs: 10 * 86_400_000 }, now).kept).toBe(true);
    // Without a time, max_age is left out (the publisher caches that verdict and applies max_age itself).
    expect(judge([], ITEM, { maxAgeMs: 1 }).kept).toBe(true);
  });

  it('reads the body only for rules that need it, once', () => {
    let reads = 0;
    const item = { ...ITEM, text: () => (reads++, 'casino') };
    const titleOnly = compileRules({ rules: [rule('block', 'title', 'x')], include: [], exclude: [] });
    expect(titleOnly.needsContent).toBe(false);
    titleOnly.judge(item);
    expect(reads).toBe(0);
    compileRules({ rules: [rule('keep', 'content', 'x'), rule('keep', 'any', 'y'), rule('keep', 'content', 'casino')], include: [], exclude: [] }).judge(item);
    expect(reads).toBe(1);
  });

  it('no rules: empty, no fingerprint; a change of rules changes the fingerprint', () => {
    const none = compileRules({ rules: [], include: [], exclude: [] });
    expect([none.empty, none.fingerprint]).toEqual([true, '']);
    const a = compileRules({ rules: [rule('block', 'title', 'a')], include: [], exclude: [] });
    const b = compileRules({ rules: [rule('block', 'title', 'b')], include: [], exclude: [] });
    expect(a.fingerprint).not.toBe('');
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  it('a fetched item: title, link, author, categories as tags, body text (HTML stripped), date', () => {
    const raw = rawItem({ title: 'T', link: 'https://x.example/a', author: 'Ann', categories: ['News'], html: '<p>Hello <b>world</b></p>', date: '2024-01-02T00:00:00Z' });
    const s = rawSubject(raw, 0);
    expect({ ...s, text: s.text?.() }).toEqual({ title: 'T', link: 'https://x.example/a', author: 'Ann', tags: ['News'], text: 'Hello world', date: Date.UTC(2024, 0, 2) });
    // Undated: judged by when it is first seen (now), as the store will date it.
    expect(rawSubject(rawItem({ title: 'u' }), 42).date).toBe(42);
  });

  it('a pathological pattern on a crafted 1 MB body finishes: RE2 is linear and the text is capped', () => {
    // (a+)+$ against "aaaa…!" backtracks exponentially in a JavaScript RegExp
    // (2^n paths for n a's). RE2 simulates the automaton: one pass per
    // character, and content rules read at most MAX_RULE_TEXT characters.
    // This test finishing at all under vitest's timeout is the guard.
    const body = `${'a'.repeat(1024 * 1024)}!`;
    let textLength = 0;
    const item: RuleSubject = { title: `${'a'.repeat(50_000)}!`, text: () => body };
    const rules = compileRules({ rules: [rule('block', 'content', '(a+)+$'), rule('block', 'title', '(a+)+$'), rule('block', 'any', '(x+x+)+y')], include: ['(a|aa)+$'], exclude: [] });
    const verdict = rules.judge({ ...item, text: () => ((textLength = body.length), body) });
    expect(textLength).toBe(body.length);
    // The body was cut at MAX_RULE_TEXT, before the "!": the capped text is all a's, so (a+)+$ matches it.
    expect(verdict).toEqual({ kept: false, reason: 'block content: "(a+)+$"' });
    expect(MAX_RULE_TEXT).toBe(256 * 1024);
    // A body shorter than the cap is read whole: the "!" is seen, nothing matches, the include does not either.
    const short = `${'a'.repeat(100_000)}!`;
    expect(rules.judge({ title: 'b', text: () => short })).toEqual({ kept: false, reason: 'not matched by include: "(a|aa)+$"' });
  });
});
