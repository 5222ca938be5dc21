import { z } from 'zod';
import { queueProblem, stateProblem } from './server-urls.ts';
import { parseDuration, parseSize } from './units.ts';

// The config file's shape. Strict objects: an unknown key is an error, so a
// typo (`shedule:`) never silently falls back to a default.

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

const duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, 'must be a duration like 500ms, 20s, 5m, 1h, 7d');
const size = z.union([z.string(), z.number()]).refine((v) => parseSize(v) !== undefined, 'must be a size like 512KB, 10MB');
const regex = z.string().refine((s) => {
  try {
    new RegExp(s, 'iu');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');
const regexList = z.union([regex, z.array(regex)]);
const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lowercase letters, digits and dashes (max 64)');
const cronExpr = z.string().min(1);
/** A string `problem` accepts (it returns undefined) or rejects with its reason. */
const checked = (problem: (s: string) => string | undefined) =>
  z.string().min(1).superRefine((s, ctx) => {
    const why = problem(s);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

/** Keys any level (defaults, group, source, channel) may set. */
export const levelSettings = {
  schedule: cronExpr.optional(),
  timeout: duration.optional(),
  max_bytes: size.optional(),
  max_redirects: z.number().int().min(0).max(20).optional(),
  user_agent: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  include: regexList.optional(),
  exclude: regexList.optional(),
  max_age: duration.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  enabled: z.boolean().optional(),
  author: z.enum(['source', 'item']).optional(),
  allow_iframes: z.array(z.string().min(1)).optional(),
  allow_private: z.boolean().optional(),
};

export const channelSchema = z.strictObject({ name: z.string().min(1), slug: slug.optional(), url: httpUrl, ...levelSettings });
export const sourceSchema = z.strictObject({ name: z.string().min(1), slug: slug.optional(), ...levelSettings, channels: z.array(channelSchema).default([]) });
export const groupSchema = z.strictObject({ name: z.string().min(1), slug: slug.optional(), ...levelSettings, sources: z.array(sourceSchema).default([]) });

export const siteSchema = z.strictObject({
  title: z.string().min(1).default('refeed'),
  description: z.string().optional(),
  url: httpUrl.default('http://127.0.0.1:8080/'),
  language: z.string().min(2).default('zh-CN'),
  output: z.string().min(1).default('feeds'),
  state: checked(stateProblem).default('.refeed/state.db'),
  queue: checked(queueProblem).optional(),
  limit: z.number().int().min(1).max(10_000).default(50),
  fallback_image: z.string().min(1).default('https://picsum.photos/400/300?random={n}'),
  concurrency: z.number().int().min(1).max(256).default(8),
  per_host_concurrency: z.number().int().min(1).max(64).default(2),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  lock_wait: duration.default('60s'),
});

export const configSchema = z.strictObject({
  site: siteSchema.default(() => siteSchema.parse({})),
  defaults: z.strictObject(levelSettings).default({}),
  groups: z.array(groupSchema).default([]),
});

export type ConfigFile = z.infer<typeof configSchema>;
export type LevelSettingsInput = Partial<z.infer<ReturnType<typeof z.strictObject<typeof levelSettings>>>>;
