import type { ChildProcess } from 'node:child_process';
import { channelSpec } from './corpus.ts';
import { exited, forkTs, waitForMessage } from './child.ts';
import type { ServerReply, ServerRequest, ServerStats } from './server.ts';

/** The parent's handle on the corpus server child. */
export interface CorpusServer {
  ports: number[];
  /** Channel i's feed URL. */
  urlOf(channel: number): string;
  addItem(channel: number): Promise<{ count: number }>;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

export async function startCorpusServer(opts: { dir: string; seed: number; channels: number; items: number; ports: number }): Promise<CorpusServer> {
  const child: ChildProcess = forkTs('./server.ts');
  const ready = waitForMessage(child, (m): m is Extract<ServerReply, { type: 'ready' }> => (m as ServerReply)?.type === 'ready');
  child.send({ type: 'start', ...opts } satisfies ServerRequest);
  const { ports } = await ready;
  let nextId = 1;
  const ask = <T extends ServerReply>(req: ServerRequest & { id: number }, type: T['type']) => {
    const reply = waitForMessage(child, (m): m is T => (m as ServerReply)?.type === type && (m as { id?: number }).id === req.id);
    child.send(req);
    return reply;
  };
  return {
    ports,
    urlOf: (channel) => `http://127.0.0.1:${ports[channel % ports.length]}${channelSpec(channel).path}`,
    addItem: async (channel) => {
      const r = await ask<Extract<ServerReply, { type: 'item-added' }>>({ type: 'add-item', id: nextId++, channel }, 'item-added');
      return { count: r.count };
    },
    stats: async () => (await ask<Extract<ServerReply, { type: 'stats' }>>({ type: 'stats', id: nextId++ }, 'stats')).stats,
    close: async () => {
      child.disconnect();
      await exited(child);
    },
  };
}
