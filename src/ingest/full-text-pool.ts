import os from 'node:os';
import { decodeFeedBytes } from '../fetch/index.ts';
import { extractFullText, type Extracted } from '../normalize/full-text.ts';
import { WorkerPool } from '../util/worker-pool.ts';
import { workerScript } from '../util/worker-script.ts';

// Reading an article out of a page (parsing it, readability, sanitizing) is
// CPU work on hostile input, so it never runs on the main thread, which keeps
// fetching and storing. Workers start at the first page, not before (most runs
// have none), and each may use at most WORKER_OLD_SPACE_MB: a page built to
// exhaust memory takes down its worker (the page fails: "worker stopped"),
// never the run.

/** A page to read: its bytes as fetched (decoded here, off the main thread). */
export interface ExtractJob {
  body: Uint8Array;
  contentType?: string;
  /** Its final URL: the base of its links. */
  url: string;
  selector?: string;
  allowIframeHosts: readonly string[];
}

/** Decodes and extracts one page: what a worker does with a job. */
export function extractJob(job: ExtractJob): Extracted {
  const bytes = Buffer.isBuffer(job.body) ? job.body : Buffer.from(job.body.buffer, job.body.byteOffset, job.body.length);
  const { text } = decodeFeedBytes(bytes, job.contentType);
  return extractFullText({ html: text, url: job.url, ...(job.selector !== undefined ? { selector: job.selector } : {}), allowIframeHosts: job.allowIframeHosts });
}

/** Heap a worker may use: a 10 MB page's DOM and readability's copies fit many times over. */
const WORKER_OLD_SPACE_MB = 768;

export interface FullTextPoolOptions {
  /** Worker threads; default min(os.availableParallelism(), 4). */
  size?: number;
  /** The worker's entry module (tests point it at a broken one). */
  workerEntry?: URL;
}

export class FullTextPool {
  private readonly pool: WorkerPool<ExtractJob, Extracted>;

  constructor(opts: FullTextPoolOptions = {}) {
    const size = Math.max(1, Math.floor(opts.size ?? Math.min(os.availableParallelism(), 4)));
    const script = opts.workerEntry ? { url: opts.workerEntry } : workerScript(import.meta.url, 'full-text-worker-main');
    const limits = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB };
    this.pool = new WorkerPool({ url: script.url, options: { ...script.options, resourceLimits: limits } }, size);
  }

  /** Jobs a worker answered: for tests and diagnostics. */
  get workerJobs(): number {
    return this.pool.answered;
  }

  /** The page's article, read on a worker. Never throws; a worker that dies on the page fails the page, not the run. */
  async extract(job: ExtractJob): Promise<Extracted> {
    const result = await this.pool.run(job);
    return result ?? { kind: 'error', reason: 'extraction stopped: the worker reading the page failed (out of memory or crashed)' };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
