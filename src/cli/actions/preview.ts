import path from 'node:path';
import { findNamed, sameUrl, slugify } from '../../config/index.ts';
import { fullTextSelectorProblem } from '../../config/schema.ts';
import type { FetchOutcome, NormalizeWarning, RefeedConfig, ResolvedChannel } from '../../core/types.ts';
import { createFetchAgents, fetchFeed } from '../../fetch/index.ts';
import { compileRules, createChannelNormalizer, itemKeyOf, newestCandidates, rawSubject, type ChannelNormalizer, type NormalizedItem } from '../../normalize/index.ts';
import { extractPage, fullTextMode, pageLimiter, withFullText, type PageResult } from '../../ingest/full-text.ts';
import { FullTextPool } from '../../ingest/full-text-pool.ts';
import { articleIdFor, articlePath } from '../../store/index.ts';
import { htmlToText } from '../../normalize/text.ts';
import { EXIT, type CommandContext } from '../command.ts';
import { previewCommand } from '../commands/preview.ts';
import { optionalConfig } from '../config-file.ts';
import { urlArgument, withAllowPrivate } from '../url-argument.ts';

type FeedOk = Extract<FetchOutcome, { kind: 'ok' }>;

interface Names {
  group?: string;
  source?: string;
  channel?: string;
}

/**
 * The channel a preview runs as: the configured one when the names (or the
 * URL) point at one; otherwise a stand-in under the named group/source,
 * inheriting their settings when they exist, named after the feed when not.
 */
export function previewChannel(config: RefeedConfig, url: string, names: Names, feedTitle: string | undefined): { channel: ResolvedChannel; configured: boolean } {
  const gi = names.group !== undefined ? findNamed(config.groups, names.group) : -1;
  const group = gi >= 0 ? config.groups[gi] : undefined;
  const si = group && names.source !== undefined ? findNamed(group.sources, names.source) : -1;
  const source = group && si >= 0 ? group.sources[si] : undefined;
  const ci = source && names.channel !== undefined ? findNamed(source.channels.map((c) => c.channel), names.channel) : -1;
  if (source && ci >= 0) return { channel: source.channels[ci], configured: true };
  if (names.group === undefined && names.source === undefined && names.channel === undefined) {
    const byUrl = config.channels.find((c) => sameUrl(c.url, url));
    if (byUrl) return { channel: byUrl, configured: true };
  }
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the URL as the name
  }
  const fallbackName = feedTitle?.trim() || host;
  const named = (given: string | undefined, existing: { name: string; slug: string } | undefined, fallback: string) =>
    existing ?? { name: given ?? fallback, slug: slugify(given ?? fallback) };
  const g = named(names.group, group, 'Preview');
  const s = named(names.source, source, fallbackName);
  const c = named(names.channel, undefined, fallbackName);
  return {
    configured: false,
    channel: {
      key: `${g.slug}/${s.slug}/${c.slug}`,
      url,
      group: { name: g.name, slug: g.slug },
      source: { name: s.name, slug: s.slug },
      channel: c,
      settings: source?.settings ?? group?.settings ?? config.defaults,
      configPath: '(not configured)',
    },
  };
}

/** Per warning code: how many items have it, and the first detail seen. */
function summarizeWarnings(results: NormalizedItem[]): { code: NormalizeWarning['code']; items: number; detail?: string }[] {
  const by = new Map<NormalizeWarning['code'], { items: number; detail?: string }>();
  for (const r of results) {
    for (const code of new Set(r.warnings.map((w) => w.code))) {
      const entry = by.get(code) ?? { items: 0, detail: r.warnings.find((w) => w.code === code)?.detail };
      entry.items++;
      by.set(code, entry);
    }
  }
  return [...by].map(([code, v]) => ({ code, ...v }));
}

const WARNING_TEXT: Record<NormalizeWarning['code'], string> = {
  'no-title': 'no title (one is made from the text)',
  'no-link': 'no link',
  'no-date': 'no date (dated when first seen)',
  'future-date': 'date in the future',
  'bad-date': 'unreadable date',
  'no-image': 'no image (site.fallback_image is its headimg; the feeds carry no image for it)',
  sanitized: 'HTML removed by the sanitizer',
};

/** Blocked items listed on stderr; --json lists every one. */
const MAX_BLOCKED_SHOWN = 20;
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 100);

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** One kept item's page, as full text read it: for the per-page lines. */
interface PageLine {
  link: string;
  ok: boolean;
  /** Characters of the article's text. */
  chars?: number;
  error?: string;
}

/**
 * The kept items with their pages' articles as bodies (where a page gave
 * one), as full_text would store them, and one line per page: fetched under
 * the channel's settings, two at a time per host, read on worker threads.
 */
async function withPages(ctx: CommandContext, channel: ResolvedChannel, mode: string, results: NormalizedItem[], site: RefeedConfig['site'], normalizer: ChannelNormalizer): Promise<{ results: NormalizedItem[]; pages: PageLine[] }> {
  const ch: ResolvedChannel = { ...channel, settings: { ...withAllowPrivate(ctx, channel.settings), fullText: mode === 'readability' ? true : mode } };
  const pool = new FullTextPool();
  const agents = createFetchAgents();
  const pages = pageLimiter(site);
  let got: Map<string, PageResult>;
  try {
    const links = [...new Set(results.flatMap((r) => r.article.link ?? []))];
    got = new Map((await Promise.all(links.map((link) => extractPage({ link, channel: ch, pool, pages, agents, signal: ctx.signal })))).map((r) => [r.link, r]));
  } finally {
    await pool.close();
    await agents.close();
  }
  const lines: PageLine[] = [];
  const out = results.map((r) => {
    const page = r.article.link ? got.get(r.article.link) : undefined;
    if (!page) return r;
    if ('error' in page) {
      lines.push({ link: page.link, ok: false, error: page.error });
      return r;
    }
    const full = withFullText(r, page, normalizer);
    lines.push({ link: page.link, ok: true, chars: htmlToText(page.html).length });
    return full;
  });
  return { results: out, pages: lines };
}

export async function run(ctx: CommandContext): Promise<number> {
  const url = urlArgument(ctx, previewCommand);
  if (!url) return EXIT.usage;
  const selector = ctx.values.selector as string | undefined;
  if (selector !== undefined) {
    const why = ctx.values['full-text'] ? fullTextSelectorProblem(selector) : 'goes with --full-text';
    if (why) {
      ctx.err(`refeed preview: --selector ${JSON.stringify(selector)} ${why}`);
      return EXIT.usage;
    }
  }
  const loaded = await optionalConfig(ctx);
  if (!loaded) return EXIT.badConfig;
  const { config } = loaded;
  const names: Names = { group: ctx.values.group as string | undefined, source: ctx.values.source as string | undefined, channel: ctx.values.channel as string | undefined };

  // Settings before the fetch come from where the channel would live (timeouts, headers, size limit).
  const planned = previewChannel(config, url, names, undefined);
  const outcome = await fetchFeed({ url, settings: withAllowPrivate(ctx, planned.channel.settings), signal: ctx.signal });
  if (outcome.kind === 'error') {
    ctx.err(`refeed preview: ${url}: ${outcome.error.code}: ${outcome.error.message}`);
    if (outcome.error.alternates?.length) {
      ctx.err(`this page advertises feeds; try:\n${outcome.error.alternates.map((a) => `  refeed preview ${a}`).join('\n')}`);
    }
    return EXIT.failed;
  }
  if (outcome.kind !== 'ok') {
    ctx.err(`refeed preview: ${url}: unexpected answer (HTTP ${outcome.status})`);
    return EXIT.failed;
  }
  const ok: FeedOk = outcome;
  const { channel, configured } = previewChannel(config, url, names, ok.feed.title);
  const now = new Date();
  const normalizer = createChannelNormalizer(channel, { fallbackImage: config.site.fallbackImage });
  // The channel's rules, as the ingest and the publisher run them: each item they drop, with the rule that did.
  const rules = compileRules(channel.settings);
  const blocked = rules.empty
    ? []
    : ok.feed.items.flatMap((item) => {
        const verdict = rules.judge(rawSubject(item, now.getTime()), now.getTime());
        return verdict.kept ? [] : [{ title: item.title ?? '', ...(item.link ? { link: item.link } : {}), reason: verdict.reason }];
      });
  const seen = new Set<string>();
  let duplicates = 0;
  const unique = normalizer.filter(ok.feed.items, now).filter((item) => {
    const itemKey = itemKeyOf(item);
    if (seen.has(itemKey)) {
      duplicates++;
      return false;
    }
    seen.add(itemKey);
    return true;
  });
  // Exactly what ingest does, minus every write: the newest `limit` by date (an undated
  // item dated now, its first sight), shown in feed order.
  const context = { feed: ok.feed, feedUrl: ok.finalUrl, firstSeen: now, now };
  const normalized = new Map(newestCandidates(unique, channel.settings.limit, now).map((item) => [item, normalizer.normalize(item, context)]));
  const newest = new Set([...normalized.values()].sort((a, b) => b.article.date.getTime() - a.article.date.getTime()).slice(0, channel.settings.limit));
  let results = unique.flatMap((item) => {
    const n = normalized.get(item);
    return n && newest.has(n) ? [n] : [];
  });
  const fullText = ctx.values['full-text'] ? { mode: selector ?? fullTextMode(channel.settings) ?? 'readability', pages: [] as PageLine[] } : undefined;
  if (fullText) ({ results, pages: fullText.pages } = await withPages(ctx, channel, fullText.mode, results, config.site, normalizer));
  const kept = results;
  const first = results[0];
  const file = first ? path.join(config.site.output, articlePath(first.article.slugs, articleIdFor(0, first.article.itemKey, first.article.link))) : undefined;
  const feedWarnings = summarizeWarnings(results);

  if (ctx.values.json) {
    ctx.out(
      JSON.stringify(
        {
          url,
          finalUrl: ok.finalUrl,
          ...(ok.permanentRedirect ? { permanentRedirect: ok.permanentRedirect } : {}),
          format: ok.feed.format,
          charset: ok.charset,
          bytes: ok.bytes,
          title: ok.feed.title,
          items: ok.feed.items.length,
          kept: kept.length,
          duplicates,
          blocked,
          channel: { key: channel.key, group: channel.group.name, source: channel.source.name, channel: channel.channel.name, configured },
          path: file,
          article: first?.text,
          articleWarnings: first?.warnings ?? [],
          warnings: feedWarnings,
          ...(fullText ? { fullText } : {}),
        },
        null,
        2,
      ),
    );
    return EXIT.ok;
  }

  const lines = [
    `feed:     ${ok.feed.title ?? '(untitled)'} — ${ok.feed.format.toUpperCase()}, ${ok.charset}, ${formatBytes(ok.bytes)}`,
    `fetched:  ${ok.finalUrl}${ok.finalUrl !== url ? ` (from ${url}${ok.permanentRedirect ? ', moved permanently' : ''})` : ''}`,
    `items:    ${ok.feed.items.length} in the feed, ${kept.length} kept by this channel's filters and limit (${channel.settings.limit})` +
      (duplicates ? `, ${duplicates} repeated` : '') +
      (blocked.length ? `, ${blocked.length} blocked by its rules` : ''),
    `channel:  ${channel.group.name} / ${channel.source.name} / ${channel.channel.name}` +
      (configured ? ` (configured, ${channel.configPath})` : ' (not configured; names from --group/--source/--channel or the feed)'),
  ];
  if (file) lines.push(`file:     ${file} (not written: preview stores nothing)`);
  ctx.err(lines.join('\n'));
  if (blocked.length) {
    const shown = blocked.slice(0, MAX_BLOCKED_SHOWN);
    ctx.err(
      `blocked by this channel's rules (blocks win over keeps):\n` +
        shown.map((b) => `  ${JSON.stringify(oneLine(b.title) || b.link || '(untitled)')} — ${b.reason}`).join('\n') +
        (blocked.length > shown.length ? `\n  … and ${blocked.length - shown.length} more (--json lists them all)` : ''),
    );
  }
  if (feedWarnings.length) {
    ctx.err(
      `warnings over ${results.length} article${results.length === 1 ? '' : 's'}:\n` +
        feedWarnings
          .map((w) => {
            const example = w.detail && !WARNING_TEXT[w.code].includes(w.detail) ? ` (e.g. ${w.detail})` : '';
            return `  ${w.code}: ${w.items} of ${results.length} — ${WARNING_TEXT[w.code]}${example}`;
          })
          .join('\n'),
    );
  }
  if (fullText) {
    const read = fullText.pages.filter((p) => p.ok).length;
    ctx.err(
      `full text (${fullText.mode === 'readability' ? 'readability' : `selector ${JSON.stringify(fullText.mode)}`}): ${read} of ${fullText.pages.length} page${fullText.pages.length === 1 ? '' : 's'} read` +
        (fullText.pages.length < results.length ? ` (${results.length - fullText.pages.length} item${results.length - fullText.pages.length === 1 ? ' has' : 's have'} no link)` : '') +
        (fullText.pages.length ? '\n' : '') +
        fullText.pages.map((p) => (p.ok ? `  ok      ${p.link} — ${p.chars} characters of text` : `  failed  ${p.link}: ${p.error} (the feed's content is kept)`)).join('\n'),
    );
  }
  if (!first) {
    ctx.err(ok.feed.items.length ? 'no item passes this channel\'s filters: nothing would be written' : 'the feed has no items');
    return EXIT.ok;
  }
  if (first.warnings.length) ctx.err(`first article: ${first.warnings.map((w) => (w.detail ? `${w.code} (${w.detail})` : w.code)).join(', ')}`);
  ctx.err('--- first article, as it would be written ---');
  ctx.out(first.text);
  return EXIT.ok;
}

