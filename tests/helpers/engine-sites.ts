import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/index.ts';
import { postgresServer, serverOrSkip, TestDatabases } from './servers.ts';

export type Engine = 'sqlite' | 'postgres';

/** One site on one engine: its temp folder, its state (a SQLite path in it, or a fresh PostgreSQL database's URL) and the store open on it. */
export interface EngineSite {
  dir: string;
  state: string;
  store: Store;
}

/**
 * Fresh sites on each engine, for tests that must hold on both: SQLite always,
 * PostgreSQL when a server can be had (else the tests say why they skip).
 * `name` (letters, digits, `_`) names the temp folders and databases. `close`
 * (for afterAll) closes every store, drops the databases, stops the server
 * and removes the folders.
 */
export async function engineSites(name: string): Promise<{ engines: readonly Engine[]; open(engine: Engine): Promise<EngineSite>; close(): Promise<void> }> {
  const server = serverOrSkip('PostgreSQL', await postgresServer());
  const databases = server && new TestDatabases(server.url, `refeed_${name}`);
  const dirs: string[] = [];
  const stores: Store[] = [];
  return {
    engines: server ? ['sqlite', 'postgres'] : ['sqlite'],
    async open(engine) {
      const dir = mkdtempSync(path.join(os.tmpdir(), `refeed-${name}-${engine}-`));
      dirs.push(dir);
      const state = engine === 'sqlite' ? path.join(dir, 'state.db') : await databases!.create();
      const store = await openStore(state);
      if (!store) throw new Error('no store');
      stores.push(store);
      return { dir, state, store };
    },
    async close() {
      for (const s of stores) await s.close();
      await databases?.dropAll();
      await server?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
