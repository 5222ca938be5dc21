import { isPostgresUrl } from '../config/server-urls.ts';
import type { SiteConfig } from '../core/types.ts';
import { describeServer } from './postgres/describe.ts';
import { setAsideIfCorrupt } from './sqlite/set-aside.ts';
import { SqliteStore } from './sqlite/store.ts';
import type { Store } from './types.ts';

/**
 * The store `site.state` names: a postgres:// (or postgresql://) URL, else a
 * SQLite file path (the default). With `readonly`, nothing is created or
 * migrated (status and listings): the file must exist, the database must
 * hold refeed's tables. A server that cannot be reached is retried briefly,
 * then a StoreUnavailableError.
 */
export async function openStore(state: SiteConfig['state'], opts: { readonly?: boolean } = {}): Promise<Store> {
  if (isPostgresUrl(state)) {
    // Loaded only when used: the driver is most of a short command's start-up otherwise.
    const { PostgresStore } = await import('./postgres/store.ts');
    return PostgresStore.open(state, opts);
  }
  return new SqliteStore(state, opts);
}

/** For `refeed reindex`: a damaged SQLite state moved aside (see setAsideIfCorrupt); where it went, or undefined. A server database is never moved. */
export function setAsideCorruptState(state: SiteConfig['state']): string | undefined {
  return isPostgresUrl(state) ? undefined : setAsideIfCorrupt(state);
}

/** How messages and logs name the store: the file, or the server as host:port/database (never a password). */
export function describeState(state: SiteConfig['state']): string {
  if (!isPostgresUrl(state)) return state;
  try {
    return describeServer(state);
  } catch {
    return 'postgres://…';
  }
}
