import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../src/util/write-queue.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WriteQueue', () => {
  it('runs at most `concurrency` writes at once and drain() waits for all of them', async () => {
    const q = new WriteQueue({ concurrency: 2, maxBytes: 1e9 });
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    for (let i = 0; i < 6; i++) {
      await q.add(1, async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        done.push(i);
      });
    }
    expect(done.length).toBeLessThan(6);
    await q.drain();
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('makes add() wait while more than maxBytes are queued, so memory stays bounded', async () => {
    const q = new WriteQueue({ concurrency: 1, maxBytes: 100 });
    const release: (() => void)[] = [];
    const gate = () => new Promise<void>((r) => release.push(r));
    await q.add(60, gate); // running
    let returned = false;
    const second = q.add(60, gate).then(() => (returned = true)); // 120 > 100: the caller waits
    await tick();
    expect(returned).toBe(false);
    release.shift()!();
    await tick();
    expect(returned).toBe(true);
    await second;
    release.shift()!();
    await q.drain();
  });

  it('keeps going when a write rejects', async () => {
    const q = new WriteQueue({ concurrency: 1 });
    let ran = false;
    await q.add(1, () => Promise.reject(new Error('disk full')));
    await q.add(1, async () => void (ran = true));
    await q.drain();
    expect(ran).toBe(true);
  });
});
