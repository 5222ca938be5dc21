import type { FullTextTask } from './full-text.ts';
import type { ParseTask } from './parse-throughput.ts';

// The measurements a worker child can run. Each returns the timed part's
// duration plus what it did; the worker adds the process's peak RSS.

export type Task =
  | { kind: 'baseline'; urls: string[]; concurrency: number; limit: number; outFile: string }
  /**
   * fetch → normalize → store → publish, as `refeed once` does. With
   * `warmUpWithout`, the process first runs one untimed cycle over every
   * channel but that one (all 304s), as a long-running `refeed run` has
   * before its next cycle: code compiled, connections open.
   */
  | { kind: 'cycle'; configFile: string; checkFeeds?: boolean; warmUpWithout?: string }
  /**
   * One channel's tick in a running daemon: after an untimed warm cycle over
   * every channel (code compiled, config loaded, connections open), the time
   * from that channel's fetch to its feed files written, as `refeed run` does
   * when its schedule fires (ingest the channel, then publish).
   */
  | { kind: 'tick'; configFile: string; channel: string }
  /** The real CLI in a fresh process (`node bin/refeed.js …`), timed from spawn to exit, `repeat` times (the median is reported). */
  | { kind: 'cli'; args: string[]; repeat: number; checkFeeds?: string }
  /** publish alone; `insert` adds one article to that channel first (untimed) for the incremental case. */
  | { kind: 'publish'; configFile: string; full: boolean; insert?: { channel: number; seed: number; item: number } }
  /** Untimed setup: pads the store with older archive articles up to `target`, then publishes once to settle. */
  | { kind: 'pad'; configFile: string; seed: number; items: number; channels: number; target: number }
  /** Parse throughput of one reader over corpus files, no network (parse-throughput.ts). */
  | ParseTask
  /** Full text (issue 21): fetch and extract article pages from loopback (full-text.ts). */
  | FullTextTask;

export interface TaskResult {
  ms: number;
  /** Items this measurement processed (parsed, stored, or published), when meaningful. */
  items?: number;
  /** Bytes the measurement moved, when it knows (baseline: fetched bytes). */
  bytes?: number;
  maxRssMB?: number;
  /** Measurement-specific facts the harness checks and reports. */
  detail: Record<string, unknown>;
}

export async function runTask(task: Task): Promise<TaskResult> {
  if (task.kind === 'baseline') {
    const { runBaseline } = await import('./baseline.ts');
    const t0 = performance.now();
    const r = await runBaseline(task.urls, task);
    return { ms: performance.now() - t0, items: r.items, bytes: r.bytes, detail: { ...r } };
  }
  if (task.kind === 'parse') {
    const { runParseTask } = await import('./parse-throughput.ts');
    return runParseTask(task);
  }
  if (task.kind === 'full-text') {
    const { runFullTextTask } = await import('./full-text.ts');
    return runFullTextTask(task);
  }
  if (task.kind === 'cli') {
    const { runCliTask } = await import('./cli-tasks.ts');
    return runCliTask(task);
  }
  const refeed = await import('./refeed-tasks.ts');
  return refeed.runRefeedTask(task);
}
