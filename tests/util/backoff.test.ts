import { describe, expect, it } from 'vitest';
import { backoffDelayMs, BACKOFF_CAP_MS } from '../../src/fetch/backoff.ts';
import { cronPeriodMs } from '../../src/schedule/cron-period.ts';

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
