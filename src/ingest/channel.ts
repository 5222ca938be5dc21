import type { Logger } from '../core/log.ts';
import type { ChannelMeta, FetchError, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { backoffDelayMs } from '../fetch/backoff.ts';
import { fetchBytes, linkHeaderWebSub, type FetchAgents, type FetchBytesOutcome } from '../fetch/index.ts';
import { commitStatus, type Store } from '../store/index.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import { diskErrorOf, stateDiskErrorOf, type DiskError } from '../util/disk-error.ts';
import { redactUrl } from '../util/redact.ts';
import { writeCommittedFiles, writePendingFilesChecked } from './article-files.ts';
import { prepareChannel, type Prepared, type PrepareInput } from './prepare.ts';
import type { PreparePool } from './prepare-pool.ts';
import { errorStatusText, warningStatusText, type ChannelReport } from './report.ts';
import type { FragmentEncoding } from './fragments.ts';
import { pruneChannel } from './prune.ts';
import { applyFullText, fullTextMode, pageLimiter } from './full-text.ts';
import { FullTextPool } from './full-text-pool.ts';
import type { Limiter } from '../util/limiter.ts';
import { contentKeyOf, selectItems } from './select-items.ts';

export interface IngestOptions {
  logger: Logger;
  now?: () => number;
  signal?: AbortSignal;
  /** Where feeds are decoded, parsed and normalized; without one, in-process. */
  pool?: PreparePool;
  /** The run's file writer (it remembers the folders it made); a new one when absent. */
  files?: AtomicWriter;
  /** The module that encodes items' feed fragments (publish's): given, the prepare step encodes them once, at ingest. */
  fragmentEncoder?: string;
  /** The run's connection pools (they hold keep-alive connections); a fetch makes its own when absent. */
  agents?: FetchAgents;
  /**
   * false: commit the rows only, leaving their article files pending for the
   * process that owns the output folder (writePendingFiles, before it
   * publishes). A queue worker on another machine has no output folder.
   */
  writeFiles?: boolean;
  /** Where full-text pages are read (worker threads); a channel with full_text makes its own when absent. */
  fullText?: FullTextPool;
  /** The run's bound on page requests per host (see full-text.ts); a channel makes its own when absent. */
  pages?: Limiter;
  /** A verified WebSub push: its body is the feed, read instead of fetching it (validators and schedule stay). */
  pushed?: { body: Uint8Array; contentType?: string };
  /**
   * A long-lived process's record of article files the disk refused (its
   * own passes' or its publish's). While set, a pass that would succeed first
   * writes the files left pending, and is a `disk` failure if the disk still
   * refuses them: a channel whose articles are not on disk has not succeeded,
   * however often its feed is read (its lastSuccessAt must not advance).
   */
  filesBehind?: FilesBehind;
}

/**
 * One channel through fetch → normalize → store. Never throws: every failure
 * is recorded on the channel and returned, so one broken source never stops
 * the others. This is the one place a bug (an exception nobody expected)
 * becomes a channel's `internal` failure; every stage below returns its
 * expected failures as typed results.
 */
export async function ingestChannel(config: RefeedConfig, store: Store, channel: ResolvedChannel, opts: IngestOptions): Promise<ChannelReport> {
  try {
    return await ingestUnguarded(config, store, channel, opts);
  } catch (err) {
    // A full or read-only disk (the state database's included) is the machine's fault, not a bug.
    const disk = stateDiskErrorOf(err, config.site.state);
    if (disk) return diskFailure(store, channel.key, channel.url, disk, { now: (opts.now ?? Date.now)(), log: opts.logger.child({ channel: channel.key }) });
    const message = `unexpected error: ${(err as Error)?.message ?? String(err)}`;
    opts.logger.error({ channel: channel.key, err }, message);
    try {
      await store.recordFailure(channel.key, { now: (opts.now ?? Date.now)(), error: `internal: ${message}`, nextRunAt: undefined });
    } catch {
      // the store itself failing is reported through the channel's report below
    }
    const error: FetchError = { code: 'internal', message };
    return { key: channel.key, url: channel.url, status: 'error', newItems: 0, updatedItems: 0, duplicates: 0, error, ms: 0 };
  }
}

/**
 * When most of a fetch's items are stored articles under new guids, the feed
 * regenerates its guids: said in the channel's warning (`refeed status`),
 * since only the content match keeps such a feed from growing the store.
 */
function churnWarning(sameContent: number, items: number): string | undefined {
  if (sameContent < 2 || sameContent * 2 < items) return undefined;
  return `guid-churn: ${sameContent} of ${items} items came back under new guids (the feed regenerates them); recognised by title, link and content, not stored again`;
}

/** Hubs kept on a channel: a feed naming thousands must not bloat every read of the channel's state. */
const MAX_STORED_HUBS = 8;

/** See IngestOptions.filesBehind. */
export interface FilesBehind {
  fault?: DiskError;
}

const counts = (r: ChannelReport) => ({ newItems: r.newItems, updatedItems: r.updatedItems, duplicates: r.duplicates });

/** A channel pass stopped by the disk: recorded as a `disk` failure (no backoff: the source is fine), one log line. */
async function diskFailure(
  store: Store,
  key: string,
  url: string,
  disk: DiskError,
  o: { now: number; log: Logger; lastSuccessAt?: number | null },
): Promise<ChannelReport> {
  const error: FetchError = { code: 'disk', message: disk.message };
  o.log.error({ code: 'disk', path: disk.path, errno: disk.code }, `${disk.message}: the channel's articles are kept in the state and written once the disk takes them`);
  try {
    await store.recordFailure(key, { now: o.now, error: errorStatusText(error), nextRunAt: undefined, ...(o.lastSuccessAt !== undefined ? { lastSuccessAt: o.lastSuccessAt } : {}) });
  } catch {
    // the state on the same full disk: the report below still says what happened
  }
  return { key, url, status: 'error', newItems: 0, updatedItems: 0, duplicates: 0, error, ms: 0 };
}

/** With files the disk refused earlier (opts.filesBehind), the pending ones written now; the fault if the disk still refuses them. */
async function filesStillBehind(config: RefeedConfig, store: Store, opts: IngestOptions, log: Logger): Promise<DiskError | undefined> {
  const behind = opts.filesBehind;
  if (!behind?.fault) return undefined;
  behind.fault = (await writePendingFilesChecked(store, config.site.output, opts.files ?? new AtomicWriter(), log)).fault;
  return behind.fault;
}

async function ingestUnguarded(config: RefeedConfig, store: Store, channel: ResolvedChannel, opts: IngestOptions): Promise<ChannelReport> {
  const now = opts.now ?? Date.now;
  const started = now();
  const log = opts.logger.child({ channel: channel.key });
  const st = (await store.channelState(channel.key)) ?? (await store.ensureChannel(channel.key, channel.url, started));
  const report: ChannelReport = { key: channel.key, url: st.url, status: 'unchanged', newItems: 0, updatedItems: 0, duplicates: 0, ms: 0 };
  const finish = () => ({ ...report, ms: now() - started });

  if (st.disabled) {
    report.status = 'disabled';
    log.debug('channel disabled (410 Gone); change its URL in the config to retry');
    return finish();
  }

  let outcome: FetchBytesOutcome = opts.pushed
    ? { kind: 'ok', body: Buffer.from(opts.pushed.body), contentType: opts.pushed.contentType, finalUrl: st.url, status: 200, redirects: [], etag: st.etag, lastModified: st.lastModified }
    : await fetchBytes({ url: st.url, settings: channel.settings, etag: st.etag, lastModified: st.lastModified, signal: opts.signal, agents: opts.agents });
  if (opts.pushed) report.pushed = true;
  let prepared: Extract<Prepared, { kind: 'ok' }> | undefined;
  let preparedAt = 0;
  if (outcome.kind === 'ok') {
    const input: PrepareInput = {
      body: outcome.body,
      contentType: outcome.contentType,
      contentLocation: outcome.contentLocation,
      finalUrl: outcome.finalUrl,
      status: outcome.status,
      channel,
      now: now(),
      fallbackImage: config.site.fallbackImage,
      ...(opts.fragmentEncoder ? { fragments: { module: opts.fragmentEncoder, site: { url: config.site.url, fallbackImage: config.site.fallbackImage } } satisfies FragmentEncoding } : {}),
    };
    const result = await (opts.pool ? opts.pool.prepare(input) : prepareChannel(input));
    if (result.kind === 'error') outcome = result;
    else [prepared, preparedAt] = [result, input.now];
  }

  if (outcome.kind === 'error') {
    const e = outcome.error;
    report.status = 'error';
    report.error = e;
    // Shutting down mid-fetch is not the source's fault: no failure, no backoff.
    if (opts.signal?.aborted) return finish();
    const failures = st.consecutiveFailures + 1;
    const gone = e.code === 'gone';
    await store.recordFailure(channel.key, { now: now(), error: errorStatusText(e), nextRunAt: now() + backoffDelayMs(failures, e.retryAfterSec), disable: gone });
    if (gone) log.warn({ url: redactUrl(st.url) }, `source is gone (410): channel disabled; change its URL in the config to re-enable`);
    else log.warn({ url: redactUrl(st.url), code: e.code, failures }, `fetch failed: ${e.message}`);
    return finish();
  }

  if (outcome.permanentRedirect && outcome.permanentRedirect !== st.url) {
    report.movedTo = outcome.permanentRedirect;
    log.info({ from: redactUrl(st.url), to: redactUrl(outcome.permanentRedirect) }, 'source moved permanently; stored URL updated (update the config to match)');
  }
  const success = { etag: outcome.etag, lastModified: outcome.lastModified, movedTo: report.movedTo };

  if (outcome.kind === 'not-modified' || !prepared) {
    const behind = await filesStillBehind(config, store, opts, log);
    if (behind) return { ...(await diskFailure(store, channel.key, st.url, behind, { now: now(), log, lastSuccessAt: st.lastSuccessAt ?? null })), ms: now() - started };
    await store.recordSuccess(channel.key, { now: now(), status: 'not-modified', ...success });
    report.status = 'not-modified';
    return finish();
  }

  // What the feed says of itself, kept on the channel: its image (the channel feed's) and its WebSub hubs
  // (`run` subscribes from the store, whichever process fetched). A push carries no Link header: it keeps them.
  let meta: ChannelMeta | undefined;
  if (!opts.pushed) {
    // WebSub discovery: the Link header wins over the body (W3C WebSub §4); the topic is the feed's self URL.
    const header = outcome.link ? linkHeaderWebSub(outcome.link, outcome.finalUrl) : { hubs: [] as string[] };
    const hubs = header.hubs.length ? header.hubs : (prepared.feed.hubs ?? []);
    const topic = (header.hubs.length ? header.self : undefined) ?? prepared.feed.self ?? outcome.finalUrl;
    if (hubs.length) report.websub = { hubs, topic };
    const image = prepared.feed.image;
    // A few hubs at most are kept: one is subscribed at, the others are the fallbacks should it change.
    meta = { ...(image ? { image } : {}), ...(hubs.length ? { hubs: hubs.slice(0, MAX_STORED_HUBS), self: topic } : {}) };
  }
  const warnings = prepared.feed.recovered ?? [];
  if (warnings.length) {
    report.warnings = warnings;
    log.warn({ url: redactUrl(st.url), code: 'recovered', reasons: warnings }, `feed was broken; read what could be read: ${warnings.join('; ')}`);
  }
  if (prepared.collisions) {
    const { count, examples } = prepared.collisions;
    report.guidCollisions = count;
    log.warn(
      { url: redactUrl(st.url), code: 'guid-collision', dropped: count, examples },
      `${count} item(s) dropped: an earlier item of the feed has the same guid but another link or content (the feed reuses guids; the first is kept)`,
    );
  }
  const known = await store.knownItems(channel.key, prepared.candidates.map((c) => c.itemKey));
  let fullTextWarning: string | undefined;
  if (fullTextMode(channel.settings) !== undefined) {
    const pool = opts.fullText ?? new FullTextPool();
    try {
      const pass = await applyFullText(prepared.candidates, known, {
        store,
        channel,
        now: now(),
        pool,
        pages: opts.pages ?? pageLimiter(config.site),
        agents: opts.agents,
        signal: opts.signal,
        log,
        fallbackImage: config.site.fallbackImage,
      });
      prepared = { ...prepared, candidates: pass.candidates };
      if (pass.fetched) report.pagesFetched = pass.fetched;
      if (pass.failedPages) report.pagesFailed = pass.failedPages;
      fullTextWarning = pass.warning;
    } finally {
      if (!opts.fullText) await pool.close();
    }
  }
  const unknownContent = prepared.candidates.filter((c) => !known.has(c.itemKey)).flatMap((c) => contentKeyOf(c.article) ?? []);
  const knownContent = unknownContent.length ? await store.knownContent(channel.key, unknownContent) : new Map<string, string>();
  const { writes, texts, sameContent } = selectItems(config, channel, { ...prepared, finalUrl: outcome.finalUrl, preparedAt }, known, knownContent);
  const churn = churnWarning(sameContent, prepared.candidates.length);
  if (sameContent) report.sameContent = sameContent;
  if (churn) log.warn({ url: redactUrl(st.url), code: 'guid-churn', sameContent, items: prepared.candidates.length }, churn);
  const warning = [warningStatusText(warnings), churn, fullTextWarning].filter((w) => w !== undefined).join('; ') || undefined;
  const result = await store.commitItems(channel.key, writes, { now: now(), status: 'unchanged', ...success, warning, ...(meta ? { meta } : {}) });
  report.newItems = result.newItems;
  report.updatedItems = result.updatedItems;
  report.duplicates = result.duplicates;
  if (opts.writeFiles !== false) {
    try {
      await writeCommittedFiles(store, config.site.output, result.files, texts, opts.files ?? new AtomicWriter());
    } catch (err) {
      const disk = diskErrorOf(err, config.site.output);
      if (!disk) throw err;
      if (opts.filesBehind) opts.filesBehind.fault = disk;
      // The rows are stored; the files left are pending and written by the next run or publish. The pass
      // did not finish, so the success its commit recorded is taken back: health and lastSuccessAt agree.
      return { ...(await diskFailure(store, channel.key, st.url, disk, { now: now(), log, lastSuccessAt: st.lastSuccessAt ?? null })), ...counts(report), ms: now() - started };
    }
  }
  const behind = opts.writeFiles !== false ? await filesStillBehind(config, store, opts, log) : undefined;
  if (behind) return { ...(await diskFailure(store, channel.key, st.url, behind, { now: now(), log, lastSuccessAt: st.lastSuccessAt ?? null })), ...counts(report), ms: now() - started };
  report.status = commitStatus(result);
  // Only a pass that added entries can have pushed older ones beyond the bound; and only where the
  // article files are (a queue worker on another machine could remove the rows but not the files).
  if ((result.newItems || result.duplicates) && opts.writeFiles !== false) {
    const pruned = await pruneChannel(config, store, channel, now(), log);
    if (pruned) report.pruned = pruned;
  }
  log.info({ items: prepared.kept, new: report.newItems, updated: report.updatedItems, duplicates: report.duplicates, charset: prepared.charset }, report.status);
  return finish();
}
