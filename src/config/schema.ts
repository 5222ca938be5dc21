import { z } from 'zod';
import type { RewriteRule } from '../core/types.ts';
import { cronProblem } from '../util/cron.ts';
import { patternProblem, replacementProblem } from '../util/re2.ts';
import { selectorProblem } from '../util/selector.ts';
import { re2Note, ruleEntryProblems } from './rules.ts';
import { closest } from '../util/suggest.ts';
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
/** A string (non-empty unless `base` says otherwise) that `problem` accepts (it returns undefined) or rejects with its reason. */
const checked = (problem: (s: string) => string | undefined, base = z.string().min(1)) =>
  base.superRefine((s, ctx) => {
    const why = problem(s);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

/** Why `s` is not a pattern refeed can use: include/exclude are RE2 patterns (linear time), matched ignoring case. */
function regexProblem(s: string): string | undefined {
  const why = patternProblem(s);
  return why && `must be an RE2 regular expression: ${why}${re2Note(why)}`;
}
const regex = checked(regexProblem, z.string());
const regexList = z.union([regex, z.array(regex)]);
/** One `"<action> <field>": <value>` rule (see rules.ts); each problem is reported at the rule's key. */
const ruleEntry = z.custom<Record<string, unknown>>(() => true).superRefine((entry, ctx) => {
  for (const p of ruleEntryProblems(entry)) ctx.addIssue({ code: 'custom', message: p.message, path: p.path });
});
const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lowercase letters, digits and dashes (max 64)');
const cronExpr = checked((s) => {
  const why = cronProblem(s);
  return why && `invalid cron expression "${s}": ${why}`;
});

/** The actions a `rewrite:` rule may name, each a one-key mapping (`replace …` also takes `with`). */
const REWRITE_ACTIONS = ['replace title', 'replace content', 'remove', 'prefix title', 'suffix title'] as const;
type RewriteAction = (typeof REWRITE_ACTIONS)[number];

/** A `rewrite:` entry as the file writes it, read into a RewriteRule; each mistake said in a sentence that names the fix. */
const rewriteRule = z.unknown().transform((value, ctx): RewriteRule => {
  const fail = (message: string, path: PropertyKey[] = []) => {
    ctx.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  };
  const actions = `one of ${REWRITE_ACTIONS.map((a) => `"${a}"`).join(', ')}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(`a rewrite rule is a mapping like \`- replace title: "^Sponsored: "\` with \`with: ""\`; its key is ${actions}`);
  const entry = value as Record<string, unknown>;
  const keys = Object.keys(entry);
  const named = keys.filter((k): k is RewriteAction => (REWRITE_ACTIONS as readonly string[]).includes(k));
  for (const k of keys) {
    if (named.includes(k as RewriteAction) || k === 'with') continue;
    const near = closest(k, REWRITE_ACTIONS);
    return fail(`unknown rewrite "${k}"${near ? `; did you mean "${near}"?` : `: use ${actions}`}`, [k]);
  }
  if (named.length !== 1) return fail(named.length ? `one rewrite per list entry: start another entry (\`- ${named[1]}: …\`)` : `a rewrite rule needs ${actions}`);
  const action = named[0];
  const arg = entry[action];
  if (typeof arg !== 'string') return fail(`"${action}" takes a string${action === 'remove' ? ' (a CSS selector)' : ''}; quote it`, [action]);
  const replace = action === 'replace title' || action === 'replace content';
  if (!replace && 'with' in entry) return fail(`"with" goes with "replace title" or "replace content", not "${action}"`, ['with']);
  if (replace) {
    if (!('with' in entry)) return fail(`"${action}" needs \`with:\`, the replacement ("" to delete the match; $1 for its first group)`);
    if (typeof entry.with !== 'string') return fail('"with" takes a string; quote it ("" to delete the match)', ['with']);
    const why = patternProblem(arg);
    if (why) return fail(`invalid pattern ${JSON.stringify(arg)}: ${why} (patterns use RE2 syntax: no lookaround, no backreferences)`, [action]);
    const ref = replacementProblem(arg, entry.with);
    if (ref) return fail(`"with": ${ref}`, ['with']);
    return { kind: 'replace', field: action === 'replace title' ? 'title' : 'content', pattern: arg, with: entry.with };
  }
  if (action === 'remove') {
    const why = selectorProblem(arg);
    if (why) return fail(`invalid CSS selector ${JSON.stringify(arg)}: ${why}`, [action]);
    return { kind: 'remove', selector: arg };
  }
  if (!arg) return fail(`"${action}" needs the text to add`, [action]);
  return { kind: action === 'prefix title' ? 'prefix' : 'suffix', text: arg };
});

/** An image template as site.fallback_image takes it: an http(s) URL once `{n}` is a number, or `none`. */
const fallbackImage = checked((s) => {
  if (s === 'none') return undefined;
  try {
    const u = new URL(s.replaceAll('{n}', '1'));
    if (u.protocol === 'http:' || u.protocol === 'https:') return undefined;
  } catch {
    // said below
  }
  return 'must be an absolute http(s) URL (`{n}` becomes a number per article) or `none`';
});

/** The seed's placeholder image service: the Hexo theme refeed's articles are made for needs a headimg. */
export const DEFAULT_FALLBACK_IMAGE = 'https://picsum.photos/400/300?random={n}';

/** Keys any level (defaults, group, source, channel) may set. */
/** What `full_text:` (and `preview --selector`) say of a selector css-select cannot read. */
export function fullTextSelectorProblem(selector: string): string | undefined {
  const why = selectorProblem(selector);
  return why && `must be a CSS selector css-select can read: ${why}`;
}

export const levelSettings = {
  schedule: cronExpr.optional(),
  timeout: duration.optional(),
  max_bytes: size.optional(),
  max_redirects: z.number().int().min(0).max(20).optional(),
  user_agent: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  include: regexList.optional(),
  exclude: regexList.optional(),
  /** Keep/block rules; levels accumulate (defaults' first). */
  rules: z.array(ruleEntry).optional(),
  max_age: duration.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  enabled: z.boolean().optional(),
  author: z.enum(['source', 'item']).optional(),
  allow_iframes: z.array(z.string().min(1)).optional(),
  allow_private: z.boolean().optional(),
  /** Replace each new item's body by its page's article: true (readability) or a CSS selector naming the element; false: the feed's content. */
  full_text: z.union([z.boolean(), checked(fullTextSelectorProblem)]).optional(),
  /** How long entries that fell out of every feed are kept: the newest `items` of the channel, and any first seen within `age`. */
  retention: z.strictObject({ items: z.number().int().min(1).max(1_000_000).optional(), age: duration.optional() }).optional(),
  /** Rewrites of each article, in order; every level's add to its parent's (defaults first). */
  rewrite: z.array(rewriteRule).optional(),
  /** Drop 1×1 images and images from known tracker hosts (default true). */
  tracking_pixels: z.boolean().optional(),
  /** The channel feed's image (RSS <image>, Atom <icon>/<logo>, JSON Feed icon), over the source feed's own. */
  image: httpUrl.optional(),
  /** The headimg of articles without an image, over site.fallback_image; `none`: no headimg. */
  fallback_image: fallbackImage.optional(),
};

export const channelSchema = z.strictObject({ name: z.string().min(1), slug: slug.optional(), url: httpUrl, ...levelSettings });
export const sourceSchema = z.strictObject({ name: z.string().min(1), slug: slug.optional(), ...levelSettings, channels: z.array(channelSchema).default([]) });
export const groupSchema = z.strictObject({ name: z.string().min(1), slug: slug.optional(), ...levelSettings, sources: z.array(sourceSchema).default([]) });

export const siteSchema = z.strictObject({
  title: z.string().min(1).default('refeed'),
  description: z.string().optional(),
  url: httpUrl.default('http://127.0.0.1:8080/'),
  /** The feeds' language (RFC 5646); none by default: a site mixing languages must not label them all as one. */
  language: z.string().min(2).optional(),
  output: z.string().min(1).default('feeds'),
  state: checked(stateProblem).default('.refeed/state.db'),
  queue: checked(queueProblem).optional(),
  limit: z.number().int().min(1).max(10_000).default(50),
  /** `none`: articles without an image get no headimg at all. */
  fallback_image: z.string().min(1).default(DEFAULT_FALLBACK_IMAGE),
  concurrency: z.number().int().min(1).max(256).default(8),
  per_host_concurrency: z.number().int().min(1).max(64).default(2),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  lock_wait: duration.default('60s'),
  /** The feeds' image: RSS <image>, Atom <icon>/<logo>, JSON Feed icon/favicon. */
  icon: httpUrl.optional(),
  /** WebSub (W3C): the hubs every feed names, pinged after a publish that changed feeds. */
  websub: z
    .strictObject({
      hubs: z.array(httpUrl).max(10).default([]),
      /** Subscribe at the hubs sources name: site.url must be reachable by those hubs. */
      subscribe: z.boolean().default(false),
    })
    .optional(),
});

export const configSchema = z.strictObject({
  site: siteSchema.default(() => siteSchema.parse({})),
  defaults: z.strictObject(levelSettings).default({}),
  groups: z.array(groupSchema).default([]),
});

export type ConfigFile = z.infer<typeof configSchema>;

/** The keys allowed in the mapping at `segments` (for "did you mean"), or undefined for a path that is not a mapping of the schema. */
export function keysAt(segments: readonly PropertyKey[]): string[] | undefined {
  const [first] = segments;
  if (segments.length === 0) return Object.keys(configSchema.shape);
  if (segments.length === 1) return first === 'site' ? Object.keys(siteSchema.shape) : first === 'defaults' ? Object.keys(levelSettings) : undefined;
  const list = segments[segments.length - 2];
  if (typeof segments[segments.length - 1] !== 'number') return undefined;
  const schema = { groups: groupSchema, sources: sourceSchema, channels: channelSchema }[list as string];
  return schema ? Object.keys(schema.shape) : undefined;
}
export type LevelSettingsInput = Partial<z.infer<ReturnType<typeof z.strictObject<typeof levelSettings>>>>;
