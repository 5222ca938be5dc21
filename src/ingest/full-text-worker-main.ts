import { extractJob, type ExtractJob } from './full-text-pool.ts';
import type { Extracted } from '../normalize/full-text.ts';
import { serveJobs } from '../util/worker-serve.ts';

serveJobs<ExtractJob, Extracted>(async (input) => ({ result: extractJob(input) }));
