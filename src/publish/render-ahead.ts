import os from 'node:os';
import type { ArticleRecord } from '../store/index.ts';
import { WorkerPool } from '../util/worker-pool.ts';
import { workerScript, type WorkerScript } from '../util/worker-script.ts';
import type { RenderBatchInput, RenderedArticle } from './render-batch.ts';

// Rendering every article of a full publish is most of its CPU time; worker
// threads do it for the articles the next feeds need, in the order the feeds
// are built, a bounded window ahead, while the main thread assembles and
// writes the feeds before them. Workers read the store's cached content
// through their own read-only connections. Whatever they do not render (a
// file edited by hand, a worker failure) the publisher does in-process.

export interface RenderWorkersOptions {
  /** Worker threads; default: as many as the machine's cores, at most 4. 0: always in-process. */
  size?: number;
  /** Fewest articles to render before workers are worth their start-up (a module load each). */
  from?: number;
  /** The worker's entry module (tests point it at a broken one). */
  entry?: URL;
}

const DEFAULT_FROM = 4000;
const BATCH = 64;
/** Articles requested beyond those the current feed needs: enough to keep the workers busy, few enough to bound memory (each is ~15 KB rendered). */
const WINDOW = 512;

/** Each job's articles not in an earlier job, in build order, and where each job's end falls in that order. */
function buildOrder(jobs: readonly (readonly ArticleRecord[])[]): { order: ArticleRecord[]; ends: number[] } {
  const seen = new Set<string>();
  const order: ArticleRecord[] = [];
  const ends = jobs.map((rows) => {
    for (const r of rows) if (!seen.has(r.id)) (seen.add(r.id), order.push(r));
    return order.length;
  });
  return { order, ends };
}

export class RenderAhead {
  private readonly pool: WorkerPool<RenderBatchInput, RenderedArticle[]>;
  private readonly batches: Promise<void>[] = [];
  private dispatched = 0;
  /** Batches already waited for. */
  private awaited = 0;

  private constructor(
    private readonly input: Omit<RenderBatchInput, 'rows'>,
    /** Distinct articles in build order. */
    private readonly order: ArticleRecord[],
    /** For each job, the end of its articles in `order`. */
    private readonly ends: number[],
    private readonly accept: (a: Extract<RenderedArticle, { item: object }>) => void,
    size: number,
    script: WorkerScript,
  ) {
    this.pool = new WorkerPool(script, size);
  }

  /**
   * A prefetcher when the run is big enough and the store is a file workers
   * can open; otherwise undefined (all in-process). `jobs`: the rows of each
   * feed to build, in build order. `accept` receives every article a worker
   * rendered, before any feed that needs it is built.
   */
  static start(
    input: { output: string; stateFile: string | undefined },
    jobs: readonly (readonly ArticleRecord[])[],
    accept: (a: Extract<RenderedArticle, { item: object }>) => void,
    opts: RenderWorkersOptions = {},
  ): RenderAhead | undefined {
    // Measured on 2 cores (full publish, 100,000 articles): 2 workers 10 s, 1 worker 18 s. The main thread
    // only places items and copies their bytes (workers hand items back without their bodies): idle most of the time.
    const size = Math.max(0, Math.floor(opts.size ?? Math.max(1, Math.min(4, os.availableParallelism()))));
    const { stateFile } = input;
    if (!size || stateFile === undefined) return undefined;
    const { order, ends } = buildOrder(jobs);
    if (order.length < (opts.from ?? DEFAULT_FROM)) return undefined;
    return new RenderAhead({ output: input.output, stateFile }, order, ends, accept, size, opts.entry ? { url: opts.entry } : workerScript(import.meta.url, 'render-worker-main'));
  }

  /** Resolves once every article job `index` needs has come back from the workers (rendered or not). */
  async ready(index: number): Promise<void> {
    const end = this.ends[index] ?? this.order.length;
    this.dispatchUpTo(Math.min(this.order.length, end + WINDOW));
    const last = Math.ceil(end / BATCH);
    if (last > this.awaited) {
      await Promise.all(this.batches.slice(this.awaited, last));
      this.awaited = last;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private dispatchUpTo(target: number): void {
    while (this.dispatched < target) {
      const rows = this.order.slice(this.dispatched, this.dispatched + BATCH).map((r) => ({ id: r.id, path: r.path, identity: r.identity }));
      this.dispatched += rows.length;
      this.batches.push(
        this.pool.run({ ...this.input, rows }).then((results) => {
          for (const r of results ?? []) if (r.item) this.accept(r);
        }),
      );
    }
  }
}
