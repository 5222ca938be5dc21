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
