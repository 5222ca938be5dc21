import { prepareChannel, type Prepared, type PrepareInput } from './prepare.ts';
import { serveJobs } from '../util/worker-serve.ts';

serveJobs<PrepareInput, Prepared>(async (input) => ({ result: await prepareChannel(input) }));
