import { forkTs, waitForMessage } from './child.ts';
import type { Task, TaskResult } from './tasks.ts';

export interface Measurement extends TaskResult {
  maxRssMB: number;
}

/** Runs one task in a fresh worker process and returns what it reports. */
export async function measure(task: Task, opts: { nodeArgs?: string[] } = {}): Promise<Measurement> {
  const child = forkTs('./worker.ts', { nodeArgs: opts.nodeArgs });
  const result = waitForMessage(child, (m): m is Measurement & { type: 'result' } => (m as { type?: string })?.type === 'result');
  child.send(task);
  try {
    const { type: _type, ...r } = await result;
    return r;
  } finally {
    // The worker exits by itself after answering; wait so --cpu-prof files are complete.
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}
