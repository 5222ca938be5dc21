import { describe, expect, it } from 'vitest';
import { compilePattern, PatternError, patternProblem } from '../../src/util/re2.ts';

describe('compilePattern (RE2 semantics)', () => {
  it('matches case-sensitively unless asked or (?i) says otherwise', () => {
    expect(compilePattern('porto').test('FC Porto wins')).toBe(false);
    expect(compilePattern('porto', { caseInsensitive: true }).test('FC Porto wins')).toBe(true);
    expect(compilePattern('(?i)porto').test('FC Porto wins')).toBe(true);
  });

  it('replaces with numbered groups', () => {
    expect(compilePattern('(\\w+)@(\\w+)').replaceAll('a@b and c@d', '$2 at $1')).toBe('b at a and d at c');
  });

  it('rejects what RE2 cannot express, naming the construct', () => {
    expect(() => compilePattern('(?=x)')).toThrow(PatternError);
    expect(patternProblem('(a)\\1')).toMatch(/\\1/);
    expect(patternProblem('(?<!x)y')).toBeDefined();
    expect(patternProblem('^Sponsored:')).toBeUndefined();
  });

  it('runs a catastrophic-backtracking pattern in time linear in the input (counted by input growth, not a clock)', () => {
    // (a+)+$ on "aaa…b" takes exponential steps with a backtracking engine; RE2 answers
    // without backtracking. The guard: the answer arrives at all for 200k characters.
    const re = compilePattern('(a+)+$');
    expect(re.test(`${'a'.repeat(200_000)}b`)).toBe(false);
    expect(re.test('a'.repeat(200_000))).toBe(true);
  });
});
