import path from 'node:path';
import type { ChannelSettings, RefeedConfig, ResolvedChannel, ResolvedGroup, ResolvedSource } from '../core/types.ts';
import type { ConfigFile, LevelSettingsInput } from './schema.ts';
import { formatPath } from './errors.ts';
import { toRule } from './rules.ts';
import { isPostgresUrl } from './server-urls.ts';
import { planSlugs, type SlugPlan } from './slug-plan.ts';
import { parseDuration, parseSize } from './units.ts';

export const BUILTIN_DEFAULTS: ChannelSettings = {
  schedule: '*/30 * * * *',
  timeoutMs: 20_000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'refeed/0.1 (+https://github.com/refeed/refeed; feed aggregator)',
  headers: {},
  include: [],
  exclude: [],
  rules: [],
  maxAgeMs: undefined,
  limit: 50,
  enabled: true,
  author: 'source',
  allowIframeHosts: [],
  allowPrivate: false,
  rewrite: [],
  trackingPixels: true,
};

const asList = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** A level's settings over its parent's: set keys win, headers merge. */
export function overlay(parent: ChannelSettings, level: LevelSettingsInput): ChannelSettings {
  return {
    schedule: level.schedule ?? parent.schedule,
    timeoutMs: level.timeout !== undefined ? parseDuration(level.timeout)! : parent.timeoutMs,
    maxBytes: level.max_bytes !== undefined ? parseSize(level.max_bytes)! : parent.maxBytes,
    maxRedirects: level.max_redirects ?? parent.maxRedirects,
    userAgent: level.user_agent ?? parent.userAgent,
    headers: { ...parent.headers, ...(level.headers ?? {}) },
    include: asList(level.include) ?? parent.include,
    exclude: asList(level.exclude) ?? parent.exclude,
    rules: level.rules?.length ? [...parent.rules, ...level.rules.map(toRule)] : parent.rules,
    maxAgeMs: level.max_age !== undefined ? parseDuration(level.max_age) : parent.maxAgeMs,
    limit: level.limit ?? parent.limit,
    enabled: parent.enabled && (level.enabled ?? true),
    author: level.author ?? parent.author,
    allowIframeHosts: level.allow_iframes ?? parent.allowIframeHosts,
    allowPrivate: level.allow_private ?? parent.allowPrivate,
    ...fullTextOver(parent.fullText, level.full_text),
    ...retentionOver(parent.retention, level.retention),
    // Rewrites accumulate, like rules: the defaults' run first, the channel's last.
    rewrite: level.rewrite?.length ? [...(parent.rewrite ?? []), ...level.rewrite] : (parent.rewrite ?? []),
    trackingPixels: level.tracking_pixels ?? parent.trackingPixels ?? true,
    ...(level.image ?? parent.image ? { image: level.image ?? parent.image } : {}),
    ...fallbackOver(parent.fallbackImage, level.fallback_image),
  };
}

/** `full_text` set at a level wins; false (or never set) leaves the key out: the feed's own content. */
function fullTextOver(parent: ChannelSettings['fullText'], level: LevelSettingsInput['full_text']): Pick<ChannelSettings, 'fullText'> {
  const mode = level ?? parent;
  return mode === undefined || mode === false ? {} : { fullText: mode };
}

/** A level's `fallback_image` over its parent's; `none` is '' (no headimg). */
function fallbackOver(parent: string | undefined, level: string | undefined): Pick<ChannelSettings, 'fallbackImage'> {
  if (level !== undefined) return { fallbackImage: level === 'none' ? '' : level };
  return parent !== undefined ? { fallbackImage: parent } : {};
}

/** `retention` keys set at a level win, one by one. */
function retentionOver(parent: ChannelSettings['retention'], level: LevelSettingsInput['retention']): Pick<ChannelSettings, 'retention'> {
  if (!level) return parent ? { retention: parent } : {};
  const items = level.items ?? parent?.items;
  const ageMs = level.age !== undefined ? parseDuration(level.age) : parent?.ageMs;
  return { retention: { ...(items !== undefined ? { items } : {}), ...(ageMs !== undefined ? { ageMs } : {}) } };
}

/** Turns the validated file into the resolved tree: inherited settings, unique slugs, absolute paths. */
export function resolveConfig(file: ConfigFile, absFile: string, slugs: SlugPlan = planSlugs(file.groups)): RefeedConfig {
  const baseDir = path.dirname(absFile);
  const defaults = overlay(BUILTIN_DEFAULTS, file.defaults);
  const channels: ResolvedChannel[] = [];
  const groups: ResolvedGroup[] = file.groups.map((g, gi) => {
    const gSettings = overlay(defaults, g);
    const gSlug = slugs.groups[gi].slug;
    const sources: ResolvedSource[] = g.sources.map((s, si) => {
      const sSettings = overlay(gSettings, s);
      const sSlug = slugs.groups[gi].sources[si].slug;
      const resolved = s.channels.map((c, ci): ResolvedChannel => {
        const cSlug = slugs.groups[gi].sources[si].channels[ci];
        const ch: ResolvedChannel = {
          key: `${gSlug}/${sSlug}/${cSlug}`,
          url: c.url,
          group: { name: g.name, slug: gSlug },
          source: { name: s.name, slug: sSlug },
          channel: { name: c.name, slug: cSlug },
          settings: overlay(sSettings, c),
          configPath: formatPath(['groups', gi, 'sources', si, 'channels', ci]),
        };
        channels.push(ch);
        return ch;
      });
      return { name: s.name, slug: sSlug, settings: sSettings, channels: resolved };
    });
    return { name: g.name, slug: gSlug, settings: gSettings, sources };
  });
  const site = file.site;
  return {
    file: absFile,
    site: {
      title: site.title,
      description: site.description ?? `${site.title}: aggregated feeds`,
      url: site.url.endsWith('/') ? site.url : `${site.url}/`,
      language: site.language ?? '',
      output: path.resolve(baseDir, site.output),
      state: isPostgresUrl(site.state) ? site.state : path.resolve(baseDir, site.state),
      ...(site.queue ? { queue: site.queue } : {}),
      limit: site.limit,
      fallbackImage: site.fallback_image === 'none' ? '' : site.fallback_image,
      concurrency: site.concurrency,
      perHostConcurrency: site.per_host_concurrency,
      host: site.host,
      port: site.port,
      lockWaitMs: parseDuration(site.lock_wait)!,
      ...(site.icon ? { icon: site.icon } : {}),
      websubHubs: site.websub?.hubs ?? [],
      websubSubscribe: site.websub?.subscribe ?? false,
    },
    defaults,
    groups,
    channels,
    warnings: slugs.warnings,
    keptSlugs: slugs.kept,
    slugsDifferFromLegacy: slugs.differsFromLegacy,
  };
}
