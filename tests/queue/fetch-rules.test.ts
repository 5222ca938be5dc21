import { describe, expect, it } from 'vitest';
import type { ChannelState, ResolvedChannel } from '../../src/core/types.ts';
import { skipReason } from '../../src/queue/fetch-job.ts';
import { tickOf, type FetchJobData } from '../../src/queue/jobs.ts';
import { cronNextRuns } from '../../src/schedule/cron-period.ts';

// The rules a worker applies to a fetch job from the shared state (the
// per-host bound inside one worker is tests/util/limiter.test.ts).

const data: FetchJobData = { id: 7, key: 'g/s/c', channel: { key: 'g/s/c' } as ResolvedChannel, fallbackImage: '', tz: 'UTC' };
const state = (over: Partial<ChannelState> = {}): ChannelState => ({ key: 'g/s/c', id: 7, createdAt: 0, url: 'https://a.example/', consecutiveFailures: 0, disabled: false, itemCount: 0, ...over });
const NOW = Date.UTC(2024, 0, 1, 12);

describe('a fetch job', () => {
  it('is fetched when the channel is known, enabled, not backing off, and not fetched since its tick', () => {
    expect(skipReason(state(), data, NOW, NOW)).toBeUndefined();
    expect(skipReason(state({ lastFetchAt: NOW - 1 }), data, NOW, NOW)).toBeUndefined();
    // A failure whose backoff is over: tried again.
    expect(skipReason(state({ consecutiveFailures: 3, nextRunAt: NOW - 1 }), data, NOW, NOW)).toBeUndefined();
  });

  it('is skipped for a channel renamed or removed since it was queued (its key no longer names its id)', () => {
    expect(skipReason(undefined, data, NOW, NOW)).toMatch(/renamed or removed/);
    expect(skipReason(state({ id: 8 }), data, NOW, NOW)).toMatch(/renamed or removed/);
  });

  it('is skipped while the channel backs off or is disabled by a 410', () => {
    expect(skipReason(state({ consecutiveFailures: 1, nextRunAt: NOW + 60_000 }), data, NOW, NOW)).toMatch(/^backing off until 2024-01-01T12:01:00/);
    expect(skipReason(state({ disabled: true }), data, NOW, NOW)).toMatch(/410/);
  });

  it('is skipped when a fetch ended after its tick (retried late after its worker died, or behind a slow fetch)', () => {
    expect(skipReason(state({ lastFetchAt: NOW + 1 }), data, NOW, NOW + 5000)).toMatch(/already fetched/);
  });

  it("stands for its scheduler's tick, or for when a one-off job was queued", () => {
    expect(tickOf({ data, opts: { prevMillis: 3000 }, timestamp: 1000 })).toBe(3000);
    expect(tickOf({ data: { ...data, queuedAt: 2000 }, opts: {}, timestamp: 1000 })).toBe(2000);
  });
});

describe('cronNextRuns', () => {
  it('reads a schedule in the time zone given', () => {
    const next = cronNextRuns();
    const utc = next('0 9 * * *', 'UTC')!;
    const shanghai = next('0 9 * * *', 'Asia/Shanghai')!;
    expect(new Date(utc).getUTCHours()).toBe(9);
    expect(new Date(shanghai).getUTCHours()).toBe(1);
    expect(next('*/3 * * * * *', 'UTC')! - Date.now()).toBeLessThanOrEqual(3000);
  });
});
