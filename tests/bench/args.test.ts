import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.ts';

describe('bench options', () => {
  it('measures the warm cycle at 10,000 channels by default, skips it for --quick or --warm-channels 0', () => {
    expect(parseBenchArgs([])!.warmChannels).toBe(10_000);
    expect(parseBenchArgs(['--quick'])!.warmChannels).toBe(0);
    expect(parseBenchArgs(['--warm-channels', '0'])!.warmChannels).toBe(0);
    expect(parseBenchArgs(['--quick', '--warm-channels', '500'])!.warmChannels).toBe(500);
    expect(() => parseBenchArgs(['--warm-channels', 'many'])).toThrow(/--warm-channels must be a positive integer/);
  });
});

describe('bench --parse-only', () => {
  it('measures parse throughput alone on 200 corpus feeds (at most --channels), writing its own results file', () => {
    const only = parseBenchArgs(['--parse-only'])!;
    expect(only).toMatchObject({ parseOnly: true, parseChannels: 200, out: 'bench/out/parse-results.md' });
    expect(parseBenchArgs(['--parse-only', '--out', 'x.md'])!.out).toBe('x.md');
    expect(parseBenchArgs(['--channels', '50'])!).toMatchObject({ parseOnly: false, parseChannels: 50, out: 'bench/results.md' });
    expect(parseBenchArgs(['--parse-channels', '500'])!.parseChannels).toBe(500);
  });
});
