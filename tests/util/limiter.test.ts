import { describe, expect, it } from 'vitest';
import { forEachLimited, Limiter, LimiterClosedError } from '../../src/util/limiter.ts';

const tick = () => new Promise<void>((r) => setTimeout(r, 5));
const turn = () => new Promise((r) => setImmediate(r));

/** Counts tasks running at once, overall and per key. */
function meter() {
  let running = 0;
  const perKey = new Map<string, number>();
  const m = {
    peak: 0,
    keyPeak: new Map<string, number>(),
    async task(key: string, body: () => Promise<void> = tick) {
      running++;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      m.peak = Math.max(m.peak, running);
      m.keyPeak.set(key, Math.max(m.keyPeak.get(key) ?? 0, perKey.get(key)!));
      try {
        await body();
      } finally {
        running--;
        perKey.set(key, perKey.get(key)! - 1);
      }
    },
  };
  return m;
}

/** A task that waits until released by hand. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { open, wait: () => p };
}

describe('Limiter: push (a long-lived queue)', () => {
  it('bounds overall and per key, and refuses a duplicate id', async () => {
    const q = new Limiter({ concurrency: 3, perKey: 1 });
    const m = meter();
    for (let i = 0; i < 12; i++) expect(q.push(`c${i}`, `h${i % 4}`, () => m.task(`h${i % 4}`))).toBe(true);
    expect(q.push('c0', 'h0', () => m.task('h0'))).toBe(false);
    expect(q.has('c0')).toBe(true);
    expect(q.has('c11')).toBe(true);
    while (q.has('c11')) await tick();
    expect(m.peak).toBe(3);
    expect(Math.max(...m.keyPeak.values())).toBe(1);
    // Done: the id may be queued again.
    expect(q.push('c0', 'h0', async () => undefined)).toBe(true);
    await q.close();
  });

  it('close() drops what has not started, waits for what has, and refuses new work', async () => {
    const q = new Limiter({ concurrency: 1 });
    const g = gate();
    let finished = false;
    let startedLate = false;
    q.push('a', 'h', async () => {
      await g.wait();
      finished = true;
    });
    q.push('b', 'h', async () => {
      startedLate = true;
    });
    const closing = q.close();
    expect(q.has('a')).toBe(true);
    g.open();
    await closing;
    expect(finished).toBe(true);
    expect(startedLate).toBe(false);
    expect(q.push('c', 'h', async () => undefined)).toBe(false);
    await expect(q.run('h', async () => 1)).rejects.toBeInstanceOf(LimiterClosedError);
  });

  it('a failing task does not stop the queue nor keep its id', async () => {
    const q = new Limiter({ concurrency: 1 });
    let ran = false;
    q.push('bad', 'h', async () => Promise.reject(new Error('boom')));
    q.push('good', 'h', async () => {
      ran = true;
    });
    while (q.has('good')) await tick();
    expect(ran).toBe(true);
    expect(q.has('bad')).toBe(false);
    await q.close();
  });
});

describe('Limiter: run (a per-key bound for work arriving from elsewhere)', () => {
  it('runs at most `perKey` tasks per key at once, in arrival order, and other keys alongside', async () => {
    const limiter = new Limiter({ perKey: 2 });
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    const order: string[] = [];
    const gates: (() => void)[] = [];
    const task = (key: string, name: string) =>
      limiter.run(key, async () => {
        order.push(name);
        running.set(key, (running.get(key) ?? 0) + 1);
        peak.set(key, Math.max(peak.get(key) ?? 0, running.get(key)!));
        await new Promise<void>((r) => gates.push(r));
        running.set(key, running.get(key)! - 1);
        return name;
      });
    const all = Promise.all([task('a', 'a1'), task('a', 'a2'), task('a', 'a3'), task('b', 'b1'), task('a', 'a4')]);
    // a3 waits for a slot of a; b1 does not wait behind it.
    await turn();
    expect(order).toEqual(['a1', 'a2', 'b1']);
    for (let i = 0; i < 20 && order.length < 5; i++) {
      await turn();
      gates.shift()?.();
    }
    while (gates.length) gates.shift()!();
    expect(await all).toEqual(['a1', 'a2', 'a3', 'b1', 'a4']);
    expect(peak.get('a')).toBe(2);
    expect(order.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('frees the slot of a task that throws, and passes the error on', async () => {
    const limiter = new Limiter({ perKey: 1 });
    await expect(limiter.run('h', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      limiter.run('h', () => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    expect(await limiter.run('h', async () => 'next')).toBe('next');
  });

  it('starts the earliest waiting task that both bounds allow', async () => {
    const limiter = new Limiter({ concurrency: 2, perKey: 1 });
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (key: string, name: string) =>
      limiter.run(key, async () => {
        started.push(name);
        await new Promise<void>((r) => gates.set(name, r));
      });
    const all = [task('a', 'a1'), task('a', 'a2'), task('b', 'b1'), task('c', 'c1'), task('a', 'a3')];
    await turn();
    expect(started).toEqual(['a1', 'b1']);
    // b1 ends: a2 is earlier than c1 but a is full, so c1 goes.
    gates.get('b1')!();
    await turn();
    expect(started).toEqual(['a1', 'b1', 'c1']);
    // a1 ends: a2 (before a3) goes.
    gates.get('a1')!();
    await turn();
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2']);
    gates.get('c1')!();
    gates.get('a2')!();
    await turn();
    await turn();
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
    gates.get('a3')!();
    await Promise.all(all);
  });
});

describe('forEachLimited (a batch)', () => {
  it('runs everything once with bounds, even when workers fail', async () => {
    const seen: number[] = [];
    const m = meter();
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], { concurrency: 2 }, async (n) => {
      await m.task('');
      seen.push(n);
      if (n === 3) throw new Error('boom');
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(m.peak).toBe(2);
  });

  it('starts items in input order, a busy key not holding up the others', async () => {
    const started: string[] = [];
    const items = ['a1', 'a2', 'a3', 'b1', 'c1', 'b2'];
    await forEachLimited(items, { concurrency: 3, perKey: 1, keyOf: (s) => s[0] }, async (s) => {
      started.push(s);
      await tick();
    });
    expect(started.slice(0, 3)).toEqual(['a1', 'b1', 'c1']);
    expect(started.indexOf('a2')).toBeLessThan(started.indexOf('a3'));
    expect(started.sort()).toEqual([...items].sort());
  });

  it('an abort drops the items not started and waits for those running', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    let finished = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const done = forEachLimited(items, { concurrency: 2, signal: ac.signal }, async (n) => {
      started.push(n);
      await tick();
      finished++;
    });
    await turn();
    ac.abort();
    await done;
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(2);
  });

  it('runs nothing when already aborted', async () => {
    let ran = 0;
    await forEachLimited([1, 2], { concurrency: 2, signal: AbortSignal.abort() }, async () => {
      ran++;
    });
    expect(ran).toBe(0);
  });

  it('stays fast with thousands of items of one host waiting', async () => {
    const m = meter();
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const t0 = performance.now();
    await forEachLimited(items, { concurrency: 8, perKey: 2, keyOf: () => 'one.host' }, () => m.task('one.host', async () => undefined));
    expect(m.peak).toBe(2);
    // A scan of the waiting list per start (the old pool) took 3 s here; this takes about 0.2 s.
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});
