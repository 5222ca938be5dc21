import { describe, expect, it } from 'vitest';
import { topSelfTime, type CpuProfile } from '../../bench/profile.ts';

const frame = (functionName: string, url = 'file:///repo/src/a.ts', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });

describe('bench profile reader', () => {
  it('ranks functions by self time from the sample timeline, merging nodes of the same function', () => {
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 10_000,
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4, 5] },
        { id: 2, callFrame: frame('parse') },
        { id: 3, callFrame: frame('render', 'file:///repo/src/b.ts', 9) },
        { id: 4, callFrame: frame('parse') }, // same function reached by another path
        { id: 5, callFrame: frame('(idle)', '') },
      ],
      // Sample k lasts until sample k+1: parse 1+2+4 ms, render 2 ms, idle 1 ms.
      samples: [2, 3, 4, 5, 2, 2],
      timeDeltas: [0, 1000, 2000, 2000, 1000, 4000],
    };
    const s = topSelfTime(profile, 15, '/repo');
    expect(s.totalMs).toBe(10);
    expect(s.idleMs).toBe(1);
    expect(s.rows.map((r) => [r.functionName, r.selfMs])).toEqual([
      ['parse', 7],
      ['render', 2],
    ]);
    expect(s.rows[1]).toMatchObject({ url: 'src/b.ts', line: 10, percent: 20 });
  });

  it('falls back to hitCount when there is no timeline', () => {
    const s = topSelfTime({
      startTime: 0,
      endTime: 4000,
      nodes: [
        { id: 1, callFrame: frame('a'), hitCount: 3 },
        { id: 2, callFrame: frame('b'), hitCount: 1 },
      ],
    });
    expect(s.rows.map((r) => [r.functionName, r.selfMs])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });
});
