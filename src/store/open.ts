import type { SiteConfig } from '../core/types.ts';
import { setAsideIfCorrupt } from './sqlite/set-aside.ts';
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

/** For `refeed reindex`: a damaged SQLite state moved aside (see setAsideIfCorrupt); where it went, or undefined. */
export function setAsideCorruptState(state: SiteConfig['state']): string | undefined {
  return setAsideIfCorrupt(state);
}
