import { parentPort } from 'node:worker_threads';
import { prepareChannel, type PrepareInput } from './prepare.ts';

// One job at a time per message; prepareChannel never throws, and anything
// unexpected is answered as a failure so the pool redoes the job in-process.
parentPort!.on('message', async (msg: { id: number; input: PrepareInput }) => {
  try {
    const result = await prepareChannel(msg.input);
    parentPort!.postMessage({ id: msg.id, result });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, failure: (err as Error)?.message ?? String(err) });
  }
});
parentPort!.postMessage({ ready: true });
