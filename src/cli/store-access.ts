import { existsSync } from 'node:fs';
import type { ChannelState, RefeedConfig } from '../core/types.ts';
import { syncChannels } from '../ingest/index.ts';
import { isPostgresUrl } from '../config/index.ts';
import { describeState, openStore, StateCorruptError, StateMissingError, StateOutdatedError, StoreUnavailableError, type Store } from '../store/index.ts';
import { EXIT, type CommandContext } from './command.ts';

/**
 * Channel states by key, read without creating or changing the store: none
 * when there is no state yet (or it is from an older refeed, upgraded by the
 * next fetch).
 */
export async function readChannelStates(ctx: CommandContext, config: RefeedConfig): Promise<Map<string, ChannelState>> {
  const states = new Map<string, ChannelState>();
  if (!isPostgresUrl(config.site.state) && !existsSync(config.site.state)) return states;
  let store: Store;
  try {
    store = await openStore(config.site.state, { readonly: true });
  } catch (err) {
    if (err instanceof StateMissingError) return states;
    if (!(err instanceof StateOutdatedError)) throw err;
    ctx.logger.warn({ state: describeState(config.site.state) }, err.message);
    return states;
  }
  try {
    for (const s of await store.channelStates()) states.set(s.key, s);
  } finally {
    await store.close();
  }
  return states;
}

/** The store, open and synced with the configuration, with the run lock held; or the exit code and why not (already said). */
export type Locked = { store: Store; release(): Promise<void> } | { exit: number; held?: string };

/**
 * Opens the store for a command that changes it and takes the run lock,
 * waiting up to site.lock_wait for another run (a second `once`, `fetch` or
 * `publish`, or a running `run`) to finish. A corrupt store is an error
 * naming `refeed reindex`; a state server out of reach, one naming the server.
 */
export async function openLocked(ctx: CommandContext, config: RefeedConfig, what: string): Promise<Locked> {
  let store: Store | undefined;
  try {
    store = await openStore(config.site.state);
    const lock = await store.acquireRunLock({ waitMs: config.site.lockWaitMs, what: `refeed ${what}` });
    if (!lock.acquired) {
      await store.close();
      return { exit: EXIT.ok, held: `another refeed run (${lock.holder}) holds the lock; waited ${Math.round(config.site.lockWaitMs / 1000)} s, nothing done` };
    }
    const open = store;
    try {
      await syncChannels(config, open, Date.now(), ctx.logger);
    } catch (err) {
      await lock.release();
      throw err;
    }
    return { store: open, release: async () => (await lock.release(), await open.close()) };
  } catch (err) {
    await store?.close();
    if (!(err instanceof StateCorruptError || err instanceof StoreUnavailableError)) throw err;
    ctx.err(`refeed ${what}: ${err.message}`);
    return { exit: EXIT.failed };
  }
}

/**
 * Runs `fn` with the store open and locked (see openLocked). Another run
 * holding the lock is not a failure: the command exits 0 doing nothing, and
 * says who holds it.
 */
export async function withRunLock(ctx: CommandContext, config: RefeedConfig, what: string, fn: (store: Store) => Promise<number>): Promise<number> {
  const locked = await openLocked(ctx, config, what);
  if ('exit' in locked) {
    if (locked.held) {
      ctx.logger.info(locked.held);
      ctx.err(`refeed ${what}: ${locked.held}`);
    }
    return locked.exit;
  }
  try {
    return await fn(locked.store);
  } catch (err) {
    if (!(err instanceof StateCorruptError || err instanceof StoreUnavailableError)) throw err;
    ctx.err(`refeed ${what}: ${err.message}`);
    return EXIT.failed;
  } finally {
    await locked.release();
  }
}
