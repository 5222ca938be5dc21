import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { channelFeedXml } from './corpus.ts';
import { exited, forkTs, waitForMessage } from './child.ts';

// The corpus is cached on disk, one file per channel, keyed by seed and item
// count: a channel's bytes do not depend on how many channels the run has, so
// a 10,000-channel run reuses the 1,000 files a default run made.

export interface CorpusParams {
  seed: number;
  channels: number;
  items: number;
}

export function corpusDir(root: string, p: { seed: number; items: number }): string {
  return path.join(root, `s${p.seed}-i${p.items}`);
}

export function corpusFile(dir: string, channel: number): string {
  return path.join(dir, `${channel}.xml`);
}

/** Writes channel files that are missing; temp + rename so a killed run never leaves a truncated file behind. */
export function writeChannels(dir: string, p: { seed: number; items: number }, indices: Iterable<number>): number {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const i of indices) {
    const file = corpusFile(dir, i);
    if (existsSync(file)) continue;
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, channelFeedXml(p.seed, i, p.items));
    renameSync(tmp, file);
    n++;
  }
  return n;
}

export interface EnsureResult {
  dir: string;
  generated: number;
  ms: number;
  bytes: number;
}

/** Makes sure every channel file exists, generating missing ones across `workers` child processes. */
export async function ensureCorpus(root: string, p: CorpusParams, workers: number): Promise<EnsureResult> {
  const dir = corpusDir(root, p);
  mkdirSync(dir, { recursive: true });
  const missing: number[] = [];
  for (let i = 0; i < p.channels; i++) if (!existsSync(corpusFile(dir, i))) missing.push(i);
  const started = performance.now();
  if (missing.length) {
    const n = Math.max(1, Math.min(workers, Math.ceil(missing.length / 50)));
    await Promise.all(
      Array.from({ length: n }, async (_, w) => {
        const child = forkTs('./gen-worker.ts');
        const done = waitForMessage(child, (m): m is { type: 'done' } => (m as { type?: string })?.type === 'done');
        child.send({ dir, seed: p.seed, items: p.items, indices: missing.filter((_, k) => k % n === w) });
        await done;
        await exited(child);
      }),
    );
  }
  let bytes = 0;
  for (let i = 0; i < p.channels; i++) bytes += statSync(corpusFile(dir, i)).size;
  return { dir, generated: missing.length, ms: performance.now() - started, bytes };
}
