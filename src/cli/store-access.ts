import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChannelState, RefeedConfig } from '../core/types.ts';
import { isPostgresUrl } from '../config/server-urls.ts';
import { channelInputs, syncChannels } from '../ingest/sync.ts';
import { hasArticleFiles } from '../ingest/article-tree.ts';
import { describeState, openStore, StateCorruptError, StateLostError, StateMissingError, StateOutdatedError, StoreUnavailableError, type ChannelSync, type Store } from '../store/index.ts';
import { EXIT, type CommandContext } from './command.ts';
import { sweepLeftovers } from './sweep.ts';

/**
 * The store opened read-only, creating or changing nothing: undefined when
 * there is no state yet (or it is from an older refeed, upgraded by the next
 * fetch).
 */
async function openReadonly(ctx: CommandContext, config: RefeedConfig): Promise<Store | undefined> {
  // A 0-byte file is no state either (an emptied one), not one from an older refeed.
  if (!isPostgresUrl(config.site.state) && (!existsSync(config.site.state) || statSync(config.site.state).size === 0)) return undefined;
  try {
    return await openStore(config.site.state, { readonly: true });
  } catch (err) {
    if (err instanceof StateMissingError) return undefined;
    if (!(err instanceof StateOutdatedError)) throw err;
    ctx.logger.warn({ state: describeState(config.site.state) }, err.message);
    return undefined;
  }
}

/** What `read` gets from the store opened read-only (see openReadonly), closed after; undefined when there is no state yet. */
async function readStore<T>(ctx: CommandContext, config: RefeedConfig, read: (store: Store) => Promise<T>): Promise<T | undefined> {
  const store = await openReadonly(ctx, config);
  if (!store) return undefined;
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

/** Channel states by key, read without creating or changing the store (see openReadonly). */
export async function readChannelStates(ctx: CommandContext, config: RefeedConfig): Promise<Map<string, ChannelState>> {
  const states = await readStore(ctx, config, (store) => store.channelStates());
  return new Map((states ?? []).map((s) => [s.key, s]));
}

/**
 * For `status`: when the state is missing, empty or holds no articles while
 * article files exist, the line saying so and naming the fix; else undefined.
 */
export async function lostStateNotice(ctx: CommandContext, config: RefeedConfig): Promise<string | undefined> {
  if (!hasArticleFiles(config.site.output)) return undefined;
  if (((await readStore(ctx, config, (store) => store.countArticles())) ?? 0) > 0) return undefined;
  return (
    `the state ${describeState(config.site.state)} holds no articles while ${path.join(config.site.output, 'articles')} has article files ` +
    '(lost, emptied or replaced): run `refeed reindex` to restore them (a running `refeed run` must be restarted: it restores them as it starts)'
  );
}

/**
 * What the next run will do to the stored channels for this configuration
 * (renames carried over, removed channels kept as history), read without
 * changing anything; undefined when there is no state yet.
 */
export function previewChannelSync(ctx: CommandContext, config: RefeedConfig): Promise<ChannelSync | undefined> {
  return readStore(ctx, config, (store) => store.previewSync(channelInputs(config)));
}

/** One line per change a sync would make, in words: what a rename or a removal does to a channel's history. */
export function describeSync(sync: ChannelSync | undefined): string[] {
  if (!sync) return [];
  return [
    ...sync.renamed.map((r) =>
      r.from === r.to
        ? `channel ${r.to} has new names: its ${r.articles} article files are rewritten with them on the next run`
        : `channel ${r.from} is now ${r.to} (found by its URL or key): its history and ${r.articles} article files move with it on the next run; feeds at the old path stop updating`,
    ),
    ...sync.removed.map((k) => `channel ${k} is no longer configured: its history is kept, and comes back if its URL is configured again; its feeds stop updating`),
  ];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<boolean>((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve(true)), ms);
    const onAbort = () => (clearTimeout(timer), resolve(false));
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * For the daemons of a scaled-out set-up (`run` with a queue, `worker`): a
 * state server out of reach is waited for, retrying with backoff (2 s
 * doubling to a minute) and saying so each time, rather than exiting (a
 * supervisor restarting the daemon would only make a crash loop of it).
 * Undefined when stopped while waiting.
 */
export async function openStoreWaiting(ctx: CommandContext, state: string): Promise<Store | undefined> {
  for (let delay = 2000; ; delay = Math.min(delay * 2, 60_000)) {
    try {
      return await openStore(state);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      ctx.logger.error({ state: describeState(state) }, `${err.message}; retrying in ${delay / 1000} s`);
      if (!(await sleep(delay, ctx.signal))) return undefined;
    }
  }
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A state with no articles beside article files is a lost one (state.db
 * deleted, emptied or replaced by a new one; a database whose tables were
 * dropped): restored from the files (as `refeed reindex`) before the command
 * does anything, so that nothing ever publishes less than was published.
 */
async function restoreLostState(ctx: CommandContext, config: RefeedConfig, store: Store, what: string): Promise<void> {
  if ((await store.countArticles()) > 0 || !hasArticleFiles(config.site.output)) return;
  const state = describeState(config.site.state);
  ctx.logger.warn({ state }, 'the state holds no articles but the output folder has article files: restoring them first, as refeed reindex does');
  // Loaded only when needed: it brings the normalize stage with it.
  const { reindexFromFiles } = await import('../ingest/reindex.ts');
  const report = await reindexFromFiles(config, store, ctx.logger);
  ctx.logger.warn({ state, files: report.files, restored: report.restored, skipped: report.skipped.length }, 'state restored from the article files');
  ctx.err(
    `refeed ${what}: the state ${state} held no articles while ${path.join(config.site.output, 'articles')} has article files (lost, emptied or new); ` +
      `restored ${plural(report.restored, 'article')} from ${plural(report.files, 'file')} first, as \`refeed reindex\` does`,
  );
}

/** The store, open and synced with the configuration, with the run lock held; or the exit code and why not (already said). */
export type Locked = { store: Store; release(): Promise<void> } | { exit: number; held?: string };

/**
 * Opens the store for a command that changes it and takes the run lock,
 * waiting up to site.lock_wait for another run (a second `once`, `fetch` or
 * `publish`, or a running `run`) to finish. A corrupt store is an error
 * naming `refeed reindex`; a state server out of reach, one naming the server
 * (or, with waitForServer, waited for: see openStoreWaiting).
 */
export async function openLocked(ctx: CommandContext, config: RefeedConfig, what: string, opts: { waitForServer?: boolean } = {}): Promise<Locked> {
  let store: Store | undefined;
  try {
    store = opts.waitForServer ? await openStoreWaiting(ctx, config.site.state) : await openStore(config.site.state);
    if (!store) return { exit: EXIT.ok };
    const waitedSince = Date.now();
    let waited = false;
    const lock = await store.acquireRunLock({
      waitMs: config.site.lockWaitMs,
      what: `refeed ${what}`,
      // Said at once, then again when it ends: a wait of up to site.lock_wait in silence looks like a hang.
      onWait: (holder) => {
        waited = true;
        const line = `waiting up to ${seconds(config.site.lockWaitMs)} s for the run lock, held by another refeed run (${holder})`;
        ctx.logger.info({ holder }, line);
        ctx.err(`refeed ${what}: ${line}`);
      },
    });
    if (!lock.acquired) {
      await store.close();
      return { exit: EXIT.ok, held: `another refeed run (${lock.holder}) holds the lock; waited ${seconds(config.site.lockWaitMs)} s, nothing done` };
    }
    if (waited) {
      const line = `got the run lock after waiting ${seconds(Date.now() - waitedSince)} s`;
      ctx.logger.info(line);
      ctx.err(`refeed ${what}: ${line}`);
    }
    const open = store;
    try {
      sweepLeftovers(config, ctx.logger, lock.previous);
      await syncChannels(config, open, Date.now(), ctx.logger);
      if (what !== 'reindex') await restoreLostState(ctx, config, open, what);
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
    if (!(err instanceof StateCorruptError || err instanceof StoreUnavailableError || err instanceof StateLostError)) throw err;
    ctx.err(`refeed ${what}: ${err.message}`);
    return EXIT.failed;
  } finally {
    await locked.release();
  }
}
