import path from 'node:path';
import { validate as validateCron } from 'node-cron';
import type { ChannelSettings, RefeedConfig, ResolvedChannel, ResolvedGroup, ResolvedSource } from '../core/types.ts';
import type { ConfigFile, LevelSettingsInput } from './schema.ts';
import { ConfigError, formatPath, type ConfigProblem } from './errors.ts';
import { isPostgresUrl } from './server-urls.ts';
import { slugify, uniqueSlugs } from './slug.ts';
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
  maxAgeMs: undefined,
  limit: 50,
  enabled: true,
  author: 'source',
  allowIframeHosts: [],
  allowPrivate: false,
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
    maxAgeMs: level.max_age !== undefined ? parseDuration(level.max_age) : parent.maxAgeMs,
    limit: level.limit ?? parent.limit,
    enabled: parent.enabled && (level.enabled ?? true),
    author: level.author ?? parent.author,
    allowIframeHosts: level.allow_iframes ?? parent.allowIframeHosts,
    allowPrivate: level.allow_private ?? parent.allowPrivate,
  };
}

function slugsFor(items: { name: string; slug?: string }[], where: string, notes: string[]): string[] {
  const r = uniqueSlugs(items.map((i) => ({ name: i.name, slug: i.slug ?? slugify(i.name) })), where);
  notes.push(...r.notes);
  return r.slugs;
}

/** Turns the validated file into the resolved tree: inherited settings, unique slugs, absolute paths. */
export function resolveConfig(file: ConfigFile, absFile: string, lineOf: (segs: PropertyKey[]) => number | undefined = () => undefined): RefeedConfig {
  const baseDir = path.dirname(absFile);
  const warnings: string[] = [];
  const problems: ConfigProblem[] = [];
  const checkCron = (expr: string | undefined, segs: PropertyKey[]) => {
    if (expr !== undefined && !validateCron(expr)) problems.push({ path: formatPath(segs), line: lineOf(segs), message: `invalid cron expression "${expr}"` });
  };

  checkCron(file.defaults.schedule, ['defaults', 'schedule']);
  const defaults = overlay(BUILTIN_DEFAULTS, file.defaults);
  const channels: ResolvedChannel[] = [];
  const seenUrls = new Map<string, string>();

  const groupSlugs = slugsFor(file.groups, 'groups', warnings);
  const groups: ResolvedGroup[] = file.groups.map((g, gi) => {
    checkCron(g.schedule, ['groups', gi, 'schedule']);
    const gSettings = overlay(defaults, g);
    const sourceSlugs = slugsFor(g.sources, `groups[${gi}]`, warnings);
    const sources: ResolvedSource[] = g.sources.map((s, si) => {
      checkCron(s.schedule, ['groups', gi, 'sources', si, 'schedule']);
      const sSettings = overlay(gSettings, s);
      const channelSlugs = slugsFor(s.channels, `groups[${gi}].sources[${si}]`, warnings);
      const resolved = s.channels.map((c, ci): ResolvedChannel => {
        const segs = ['groups', gi, 'sources', si, 'channels', ci];
        checkCron(c.schedule, [...segs, 'schedule']);
        const earlier = seenUrls.get(c.url);
        if (earlier) problems.push({ path: formatPath([...segs, 'url']), line: lineOf([...segs, 'url']), message: `duplicate URL, already at ${earlier}` });
        seenUrls.set(c.url, formatPath(segs));
        const ch: ResolvedChannel = {
          key: `${groupSlugs[gi]}/${sourceSlugs[si]}/${channelSlugs[ci]}`,
          url: c.url,
          group: { name: g.name, slug: groupSlugs[gi] },
          source: { name: s.name, slug: sourceSlugs[si] },
          channel: { name: c.name, slug: channelSlugs[ci] },
          settings: overlay(sSettings, c),
          configPath: formatPath(segs),
        };
        channels.push(ch);
        return ch;
      });
      return { name: s.name, slug: sourceSlugs[si], settings: sSettings, channels: resolved };
    });
    return { name: g.name, slug: groupSlugs[gi], settings: gSettings, sources };
  });
  const site = file.site;
  const output = path.resolve(baseDir, site.output);
  const state = isPostgresUrl(site.state) ? site.state : path.resolve(baseDir, site.state);
  // The output folder is what gets served: the configuration (headers with
  // credentials) and the state database must never be in it.
  const inside = (p: string) => p === output || p.startsWith(output.endsWith(path.sep) ? output : output + path.sep);
  const files: [string, string][] = [['the configuration file', absFile]];
  if (!isPostgresUrl(state)) files.push(['the state database', state]);
  for (const [what, p] of files) {
    if (inside(p)) problems.push({ path: 'site.output', line: lineOf(['site', 'output']), message: `the output folder ${output} holds ${what} (${p}); it would be served: choose a folder of its own` });
  }
  if (problems.length) throw new ConfigError(absFile, problems);

  return {
    file: absFile,
    site: {
      title: site.title,
      description: site.description ?? `${site.title}: aggregated feeds`,
      url: site.url.endsWith('/') ? site.url : `${site.url}/`,
      language: site.language,
      output,
      state,
      ...(site.queue ? { queue: site.queue } : {}),
      limit: site.limit,
      fallbackImage: site.fallback_image,
      concurrency: site.concurrency,
      perHostConcurrency: site.per_host_concurrency,
      host: site.host,
      port: site.port,
      lockWaitMs: parseDuration(site.lock_wait)!,
    },
    defaults,
    groups,
    channels,
    warnings,
  };
}
