import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/index.ts';
import { postgresServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';

export type Engine = 'sqlite' | 'postgres';

/**
 * Fresh stores on each engine for a contract test: SQLite always, PostgreSQL
 * when a server can be had (else the test says why it is skipped). `close`
 * (for afterAll) closes every store and drops what it made.
 */
export async function engineStores(name: string): Promise<{ engines: readonly Engine[]; open(engine: Engine): Promise<Store>; close(): Promise<void> }> {
  const server = serverOrSkip('PostgreSQL', await postgresServer());
  const databases = server && new TestDatabases(server.url, `refeed_store_${name}`);
  const dirs: string[] = [];
  const stores: Store[] = [];
  return {
    engines: server ? ['sqlite', 'postgres'] : ['sqlite'],
    async open(engine) {
      let state: string;
      if (engine === 'sqlite') {
        const dir = mkdtempSync(path.join(os.tmpdir(), `refeed-store-${name}-`));
        dirs.push(dir);
        state = path.join(dir, 'state.db');
      } else state = await databases!.create();
      const st = await openStore(state);
      if (!st) throw new Error('no store');
      stores.push(st);
      return st;
    },
    async close() {
      for (const s of stores) await s.close();
      await databases?.dropAll();
      await server?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
