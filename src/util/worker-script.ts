import type { WorkerOptions } from 'node:worker_threads';

/** What to start a worker thread with: the module, and the options that make it loadable. */
export interface WorkerScript {
  url: URL;
  options?: WorkerOptions;
}

/**
 * The worker module `name` beside the module at `from` (its import.meta.url).
 * Compiled (dist/, what the CLI runs) that is the sibling `.js` file. Run
 * from the TypeScript sources (tests, tsx), a worker thread starts without
 * the parent's loader, so a small shim registers tsx, a dev dependency, and
 * then imports the `.ts` module.
 */
export function workerScript(from: string, name: string): WorkerScript {
  if (!from.endsWith('.ts')) return { url: new URL(`./${name}.js`, from) };
  return { url: new URL('./dev-worker.js', import.meta.url), options: { workerData: { entry: new URL(`./${name}.ts`, from).href } } };
}
