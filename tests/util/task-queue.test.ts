import { describe, expect, it } from 'vitest';
import { TaskQueue } from '../../src/util/task-queue.ts';
import { runPool } from '../../src/util/pool.ts';
import { backoffDelayMs, BACKOFF_CAP_MS } from '../../src/fetch/backoff.ts';
import { cronPeriodMs } from '../../src/schedule/cron-period.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('bounded queues', () => {
  it('TaskQueue bounds overall and per key, and refuses a duplicate id', async () => {
    const q = new TaskQueue(3, 1);
    let running = 0;
    let peak = 0;
    const perHost = new Map<string, number>();
    let hostPeak = 0;
    const job = (host: string) => async () => {
      running++;
      perHost.set(host, (perHost.get(host) ?? 0) + 1);
      peak = Math.max(peak, running);
      hostPeak = Math.max(hostPeak, perHost.get(host)!);
      await tick();
      running--;
      perHost.set(host, perHost.get(host)! - 1);
    };
    for (let i = 0; i < 12; i++) expect(q.push(`c${i}`, `h${i % 4}`, job(`h${i % 4}`))).toBe(true);
    expect(q.push('c0', 'h0', job('h0'))).toBe(false);
    await q.close();
    expect(peak).toBe(3);
    expect(hostPeak).toBe(1);
  });

  it('runPool runs everything once with bounds, even when workers fail', async () => {
    const seen: number[] = [];
    let running = 0;
    let peak = 0;
    await runPool([1, 2, 3, 4, 5, 6, 7], { concurrency: 2 }, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      seen.push(n);
      running--;
      if (n === 3) throw new Error('boom');
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(2);
  });
});

describe('backoff and periods', () => {
  it('doubles per failure from a minute, capped at a day, and honours a longer Retry-After', () => {
    expect(backoffDelayMs(1)).toBe(60_000);
    expect(backoffDelayMs(2)).toBe(120_000);
    expect(backoffDelayMs(5)).toBe(16 * 60_000);
    expect(backoffDelayMs(40)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelayMs(1, 3600)).toBe(3_600_000);
    expect(backoffDelayMs(1, 10)).toBe(60_000);
    expect(backoffDelayMs(1, 10 ** 9)).toBe(BACKOFF_CAP_MS);
  });

  it('reads a cron expression period', () => {
    expect(cronPeriodMs('*/30 * * * *')).toBe(30 * 60_000);
    expect(cronPeriodMs('* * * * * *')).toBe(1000);
  });
});
