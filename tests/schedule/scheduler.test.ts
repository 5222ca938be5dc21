import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { ChannelState } from '../../src/core/types.ts';
import { Scheduler } from '../../src/schedule/scheduler.ts';
import type { Store } from '../../src/store/index.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Scheduler', () => {
  it('arms no fetch for a channel whose state was still being read when it stopped', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-scheduler-'));
    dirs.push(dir);
    const config = parseConfig(
      `site: { output: out, state: state.db }
groups:
  - name: G
    sources:
      - name: S
        channels:
          - { name: C, url: "https://feeds.example/c.xml" }`,
      path.join(dir, 'refeed.yaml'),
    );
    // A store across the network (Postgres): the state read is still pending when the daemon is told to stop.
    let answer!: (st: ChannelState | undefined) => void;
    const pending = new Promise<ChannelState | undefined>((resolve) => (answer = resolve));
    const store = { channelState: () => pending } as unknown as Store;
    const JITTER = 987_654;
    const armed = vi.spyOn(globalThis, 'setTimeout');
    const scheduler = new Scheduler(config, store, { logger: silentLogger, publish: () => undefined, maxJitterMs: JITTER, random: () => 0.5 });
    scheduler.start();
    await scheduler.stop();
    answer(undefined);
    await new Promise((r) => setImmediate(r));
    const fetchTimers = armed.mock.calls.flatMap((call, i) => (call[1] === JITTER / 2 ? [armed.mock.results[i].value as NodeJS.Timeout] : []));
    for (const t of fetchTimers) clearTimeout(t);
    // Such a timer would keep a stopped daemon's process alive for up to the jitter (5 minutes).
    expect(fetchTimers).toEqual([]);
  });
});
