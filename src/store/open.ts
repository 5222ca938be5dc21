import type { SiteConfig } from '../core/types.ts';
import { SqliteStore } from './sqlite/store.ts';
import type { Store } from './types.ts';

/**
 * The store `site.state` names: a SQLite file path (the default). With
 * `readonly`, nothing is created or migrated (status and listings); the file
 * must exist.
 */
export async function openStore(state: SiteConfig['state'], opts: { readonly?: boolean } = {}): Promise<Store> {
  return new SqliteStore(state, opts);
}
