import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { ChannelStatus, FetchError, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { fetchBytes, type FetchBytesOutcome } from '../fetch/index.ts';
import { backoffDelayMs } from '../fetch/backoff.ts';
import { hostOf, runPool } from '../util/pool.ts';
import { createChannelNormalizer, type ChannelNormalizer } from '../normalize/index.ts';
import { articleId, articlePath, articleRecord, cachedContent } from '../store/article-path.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { StateDb } from '../store/state-db.ts';
import { normalizeContext, prepareChannel, type Prepared, type PrepareInput } from './prepare.ts';
import { PreparePool } from './prepare-pool.ts';

export interface ChannelReport {
  key: string;
  url: string;
  status: ChannelStatus;
  newItems: number;
  updatedItems: number;
  /** Items whose link another channel already stored. */
  duplicates: number;
  error?: FetchError;
  /** Set when a 301/308 moved the channel for good. */
  movedTo?: string;
  ms: number;
}

export interface IngestOptions {
  logger: Logger;
  now?: () => number;
  signal?: AbortSignal;
  /** Where feeds are decoded, parsed and normalized; without one, in-process. */
  pool?: PreparePool;
}

function errorStatusText(e: FetchError): string {
  return `${e.code}: ${e.message}`;
}

/**
 * One channel through fetch → normalize → store. Never throws: every failure
 * is recorded on the channel and returned, so one broken source never stops
 * the others. Files are written before their rows, so a kill between the two
 * only leaves a file the next run rewrites identically.
 */
export async function ingestChannel(config: RefeedConfig, state: StateDb, channel: ResolvedChannel, opts: IngestOptions): Promise<ChannelReport> {
  try {
    return await ingestChannelUnguarded(config, state, channel, opts);
  } catch (err) {
    // Whatever went wrong, it stays this channel's failure: reported, recorded, the run goes on.
    const message = `unexpected error: ${(err as Error).message}`;
    opts.logger.error({ channel: channel.key, err }, message);
    try {
      state.recordFailure(channel.key, { now: (opts.now ?? Date.now)(), error: `internal: ${message}`, nextRunAt: undefined });
    } catch {
      // the state store itself failing is reported through the channel's report below
    }
    const error: FetchError = { code: 'internal', message };
    return { key: channel.key, url: channel.url, status: 'error', newItems: 0, updatedItems: 0, duplicates: 0, error, ms: 0 };
  }
}

async function ingestChannelUnguarded(config: RefeedConfig, state: StateDb, channel: ResolvedChannel, opts: IngestOptions): Promise<ChannelReport> {
  const now = opts.now ?? Date.now;
  const started = now();
  const log = opts.logger.child({ channel: channel.key });
  const st = state.ensureChannel(channel.key, channel.url);
  const report: ChannelReport = { key: channel.key, url: st.url, status: 'unchanged', newItems: 0, updatedItems: 0, duplicates: 0, ms: 0 };
  const finish = () => ({ ...report, ms: now() - started });

  if (st.disabled) {
    report.status = 'disabled';
    log.debug('channel disabled (410 Gone); change its URL in the config to retry');
    return finish();
  }

  let outcome: FetchBytesOutcome;
  let preparedAt = 0;
  try {
    outcome = await fetchBytes({ url: st.url, settings: channel.settings, etag: st.etag, lastModified: st.lastModified, signal: opts.signal });
  } catch (err) {
    // fetchBytes promises not to throw; if it ever does, it is still this channel's failure only.
    outcome = { kind: 'error' as const, error: { code: 'network' as const, message: (err as Error).message } };
  }

  let prepared: Prepared | undefined;
  if (outcome.kind === 'ok') {
    const input: PrepareInput = {
      body: outcome.body,
      contentType: outcome.contentType,
      finalUrl: outcome.finalUrl,
      status: outcome.status,
      channel,
      now: now(),
      fallbackImage: config.site.fallbackImage,
    };
    prepared = await (opts.pool ? opts.pool.prepare(input) : prepareChannel(input));
    if (prepared.kind === 'error') outcome = prepared;
    else preparedAt = input.now;
  }

  if (outcome.kind === 'error' && opts.signal?.aborted) {
    // Shutting down mid-fetch is not the source's fault: no failure, no backoff.
    report.status = 'error';
    report.error = outcome.error;
    return finish();
  }

  if (outcome.kind === 'error') {
    const e = outcome.error;
    const failures = st.consecutiveFailures + 1;
    const gone = e.code === 'gone';
    state.recordFailure(channel.key, {
      now: now(),
      error: errorStatusText(e),
      nextRunAt: now() + backoffDelayMs(failures, e.retryAfterSec),
      disable: gone,
    });
    report.status = 'error';
    report.error = e;
    if (gone) log.warn({ url: st.url }, `source is gone (410): channel disabled; change its URL in the config to re-enable`);
    else log.warn({ url: st.url, code: e.code, failures }, `fetch failed: ${e.message}`);
    return finish();
  }

  if (outcome.permanentRedirect && outcome.permanentRedirect !== st.url) {
    report.movedTo = outcome.permanentRedirect;
    log.info({ from: st.url, to: outcome.permanentRedirect }, 'source moved permanently; stored URL updated (update the config to match)');
  }

  if (outcome.kind === 'not-modified') {
    state.recordSuccess(channel.key, { now: now(), status: 'not-modified', etag: outcome.etag, lastModified: outcome.lastModified, movedTo: report.movedTo });
    report.status = 'not-modified';
    return finish();
  }

  const ready = prepared as Extract<Prepared, { kind: 'ok' }>;
  const meta = outcome;
  const outputDir = config.site.output;
  let stored = false;
  let normalizer: ChannelNormalizer | undefined; // only made when a stored item needs re-dating
  state.transaction(() => {
    for (const entry of ready.entries) {
      if (entry.kind === 'skip') {
        log.warn({ err: new Error(entry.message) }, 'item skipped: no identity');
        continue;
      }
      const { identity } = entry;
      const id = articleId(channel.key, identity);
      const existing = state.getArticle(id);
      const firstSeen = existing?.firstSeen ?? preparedAt;
      let { article, warnings, text } = entry;
      if (entry.raw && firstSeen !== preparedAt) {
        // Dated by first sight, and first seen in an earlier run: date it then.
        normalizer ??= createChannelNormalizer(channel, { fallbackImage: config.site.fallbackImage });
        ({ article, warnings, text } = normalizer.normalize(entry.raw, normalizeContext(ready.feed, meta.finalUrl, firstSeen, preparedAt)));
      }
      if (warnings.length) log.debug({ identity, warnings }, 'item normalized with warnings');
      if (existing && existing.contentHash === article.contentHash) continue;
      if (!existing && article.link) {
        const other = state.findByLink(article.link);
        if (other && other.id !== id) {
          report.duplicates++;
          continue;
        }
      }
      const rel = existing?.path ?? articlePath(article.slugs, id);
      const written = writeFileAtomic(path.join(outputDir, rel), text);
      state.upsertArticle(
        articleRecord(article, id, firstSeen, rel),
        cachedContent(article, written),
        !stored, // every article of a channel is in the same four feeds
      );
      stored = true;
      if (existing) report.updatedItems++;
      else report.newItems++;
    }
    report.status = report.newItems ? 'new' : report.updatedItems ? 'updated' : 'unchanged';
    state.recordSuccess(channel.key, { now: now(), status: report.status, etag: meta.etag, lastModified: meta.lastModified, movedTo: report.movedTo });
  });
  log.info({ items: ready.kept, new: report.newItems, updated: report.updatedItems, duplicates: report.duplicates, charset: ready.charset }, report.status);
  return finish();
}

export interface FetchRunOptions extends IngestOptions {
  /** Only channels whose key, or group/source/channel name or slug, matches. */
  only?: string;
  /** Only channels whose next run is due (for `refeed once`). */
  dueOnly?: boolean;
  onProgress?: (done: number, total: number, report: ChannelReport) => void;
}

export function matchesOnly(channel: ResolvedChannel, only: string): boolean {
  const names = [channel.key, channel.group.name, channel.group.slug, channel.source.name, channel.source.slug, channel.channel.name, channel.channel.slug];
  return names.includes(only) || channel.key.startsWith(`${only}/`);
}

/** Fetches every enabled channel concurrently (global and per-host bounds) and returns one report per channel, in config order. */
export async function runFetch(config: RefeedConfig, state: StateDb, opts: FetchRunOptions): Promise<ChannelReport[]> {
  const now = opts.now ?? Date.now;
  let channels = config.channels.filter((c) => c.settings.enabled);
  if (opts.only) channels = channels.filter((c) => matchesOnly(c, opts.only!));
  if (opts.dueOnly) {
    channels = channels.filter((c) => {
      const st = state.getChannel(c.key);
      return !st || st.nextRunAt === undefined || st.nextRunAt <= now();
    });
  }
  const reports = new Map<string, ChannelReport>();
  let done = 0;
  const pool = opts.pool ?? new PreparePool();
  try {
    await runPool(
      channels,
      { concurrency: config.site.concurrency, perKey: config.site.perHostConcurrency, keyOf: (c) => hostOf(c.url), signal: opts.signal },
      async (channel) => {
        const r = await ingestChannel(config, state, channel, { ...opts, pool });
        reports.set(channel.key, r);
        opts.onProgress?.(++done, channels.length, r);
      },
    );
  } finally {
    if (!opts.pool) await pool.close();
  }
  return channels.map((c) => reports.get(c.key)).filter((r): r is ChannelReport => r !== undefined);
}
