import { parentPort, type Transferable } from 'node:worker_threads';
import type { JobReply } from './worker-pool.ts';

/**
 * The worker side of WorkerPool: answers each `{ id, input }` with
 * `handle(input)`'s result (its buffers transferred, not copied), or with a
 * failure that makes the pool redo the job in-process.
 */
export function serveJobs<In, Out>(handle: (input: In) => Promise<{ result: Out; transfer?: Transferable[] }>): void {
  const port = parentPort!;
  port.on('message', async (msg: { id: number; input: In }) => {
    try {
      const { result, transfer } = await handle(msg.input);
      port.postMessage({ id: msg.id, result } satisfies JobReply<Out>, transfer ?? []);
    } catch (err) {
      port.postMessage({ id: msg.id, failure: (err as Error)?.message ?? String(err) } satisfies JobReply<Out>);
    }
  });
}
