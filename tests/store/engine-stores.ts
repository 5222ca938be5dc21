import type { Store } from '../../src/store/index.ts';
import { engineSites, type Engine } from '../helpers/engine-sites.ts';

export type { Engine };

/**
 * Fresh stores on each engine for a contract test: SQLite always, PostgreSQL
 * when a server can be had (else the test says why it is skipped). `close`
 * (for afterAll) closes every store and drops what it made.
 */
export async function engineStores(name: string): Promise<{ engines: readonly Engine[]; open(engine: Engine): Promise<Store>; close(): Promise<void> }> {
  const sites = await engineSites(`store_${name}`);
  return { engines: sites.engines, open: async (engine) => (await sites.open(engine)).store, close: () => sites.close() };
}
