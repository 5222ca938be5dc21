// Worker-thread shim for running from the TypeScript sources (see
// worker-script.ts): registers tsx, then loads the worker module named in
// workerData. Never part of the compiled build.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
