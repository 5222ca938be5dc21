import type { Logger } from '../core/log.ts';
import type { FetchError, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { backoffDelayMs } from '../fetch/backoff.ts';
import { fetchBytes, type FetchAgents } from '../fetch/index.ts';
import { commitStatus, type Store } from '../store/index.ts';
import { AtomicWriter } from '../util/atomic-write.ts';
import { redactUrl } from '../util/redact.ts';
import { writeCommittedFiles } from './article-files.ts';
import { prepareChannel, type Prepared, type PrepareInput } from './prepare.ts';
import type { PreparePool } from './prepare-pool.ts';
import { errorStatusText, warningStatusText, type ChannelReport } from './report.ts';
import { selectItems } from './select-items.ts';
import type { FragmentEncoding } from './fragments.ts';

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

  let outcome = await fetchBytes({ url: st.url, settings: channel.settings, etag: st.etag, lastModified: st.lastModified, signal: opts.signal, agents: opts.agents });
  let prepared: Extract<Prepared, { kind: 'ok' }> | undefined;
  let preparedAt = 0;
  if (outcome.kind === 'ok') {
    const input: PrepareInput = {
      body: outcome.body,
      contentType: outcome.contentType,
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
    await store.recordSuccess(channel.key, { now: now(), status: 'not-modified', ...success });
    report.status = 'not-modified';
    return finish();
  }

  const warnings = prepared.feed.recovered ?? [];
  if (warnings.length) {
    report.warnings = warnings;
    log.warn({ url: redactUrl(st.url), code: 'recovered', reasons: warnings }, `feed was broken; read what could be read: ${warnings.join('; ')}`);
  }
  const known = await store.knownItems(channel.key, prepared.candidates.map((c) => c.identity));
  const { writes, texts } = selectItems(config, channel, { ...prepared, finalUrl: outcome.finalUrl, preparedAt }, known);
  const result = await store.commitItems(channel.key, writes, { now: now(), status: 'unchanged', ...success, warning: warningStatusText(warnings) });
  if (opts.writeFiles !== false) await writeCommittedFiles(store, config.site.output, result.files, texts, opts.files ?? new AtomicWriter());
  report.newItems = result.newItems;
  report.updatedItems = result.updatedItems;
  report.duplicates = result.duplicates;
  report.status = commitStatus(result);
  log.info({ items: prepared.kept, new: report.newItems, updated: report.updatedItems, duplicates: report.duplicates, charset: prepared.charset }, report.status);
  return finish();
}
