import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { RefeedConfig } from '../core/types.ts';
import { crossChecks } from './cross-checks.ts';
import { ruleWarnings } from './rule-checks.ts';
import { noChannelsProblems } from './no-channels.ts';
import { configSchema } from './schema.ts';
import { schemaProblems } from './schema-problems.ts';
import { looseTree, planSlugs } from './slug-plan.ts';
export { DEFAULT_CONFIG_FILE } from './names.ts';
import { resolveConfig } from './resolve.ts';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { fastParse } from './yaml-fast.ts';
import { syntaxProblems } from './yaml-problems.ts';
import { isPostgresUrl, queueProblem, queueStateProblem, stateProblem } from './server-urls.ts';

/** The environment variables that override the file (containers set them): REFEED_STATE, REFEED_QUEUE. */
export type ConfigEnv = Partial<Record<'REFEED_STATE' | 'REFEED_QUEUE', string>>;

const ENV_KEYS = [
  ['REFEED_STATE', 'state', stateProblem],
  ['REFEED_QUEUE', 'queue', queueProblem],
] as const;

/** The site settings the environment sets, and what is wrong with them. */
function fromEnv(env: ConfigEnv): { site: { state?: string; queue?: string }; problems: ConfigProblem[] } {
  const site: { state?: string; queue?: string } = {};
  const problems: ConfigProblem[] = [];
  for (const [name, key, problem] of ENV_KEYS) {
    const v = env[name]?.trim();
    if (!v) continue;
    const why = problem(v);
    if (why) problems.push({ path: `site.${key}`, message: `$${name}: ${why}` });
    // A relative path in the environment is the working directory's, not the file's.
    else site[key] = key === 'state' && !isPostgresUrl(v) ? path.resolve(v) : v;
  }
  return { site, problems };
}

/** The 1-based line of the node at `segments` (of its key, in a mapping: a block value starts a line below), or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, segments: readonly PropertyKey[]): number | undefined {
  for (let n = segments.length; n >= 0; n--) {
    const last = segments[n - 1];
    const parent = n > 0 && typeof last === 'string' ? doc.getIn(segments.slice(0, n - 1) as unknown[], true) : undefined;
    const key = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === last)?.key : undefined;
    if (isNode(key) && key.range) return counter.linePos(key.range[0]).line;
    const node = doc.getIn(segments.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The parsed document with line positions: built when the fast path declines, or a problem must be located. */
interface Located {
  doc: Document;
  counter: LineCounter;
}

function locate(text: string): Located {
  const counter = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true }), counter };
}

/**
 * The file's data by the Document API, or every syntax problem with its line.
 * YAML 1.2 core schema (the yaml package's default): `yes` and `on` are
 * strings, 012 is twelve. Duplicate keys are an error, and aliases expand only
 * so far (an alias bomb is a problem of the file, not a crash).
 */
function slowParse(file: string, text: string, located: Located): unknown {
  const { doc, counter } = located;
  // In words that name the fix, one per mistake (yaml-problems.ts).
  const problems = syntaxProblems(text, doc, counter);
  if (problems.length) throw new ConfigError(file, problems);
  try {
    return doc.toJS();
  } catch (err) {
    // toJS() refuses aliases that would expand beyond its bound (ReferenceError).
    throw new ConfigError(file, [{ path: '', message: `cannot read the YAML: ${(err as Error).message}` }]);
  }
}

/** What loading needs besides the file: the keys the state holds channels under (see resolve.ts: legacy slugs they use are kept). */
export interface LoadOptions {
  storedKeys?: ReadonlySet<string>;
  /** Accept a file with no channels that does not say so (no-channels.ts): for an edit about to add some. */
  allowNoChannels?: boolean;
}

/** Problems in file order (those without a line last), each once. */
function ordered(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    return !seen.has(key) && (seen.add(key), true);
  });
  return unique.map((p, i) => [p, i] as const).sort(([a, i], [b, j]) => (a.line ?? Infinity) - (b.line ?? Infinity) || i - j).map(([p]) => p);
}

/**
 * Parses and validates config text; throws ConfigError listing every problem
 * with its path and line, all in one pass: the schema, cron expressions and
 * regexes, duplicate URLs, the output folder, with the slug warnings beside
 * them. `env` (the process's by default) overrides site.state and site.queue.
 */
export function parseConfig(text: string, file: string, env: ConfigEnv = process.env, opts: LoadOptions = {}): RefeedConfig {
  let located: Located | undefined;
  const withLines = () => (located ??= locate(text));
  const fast = fastParse(text);
  const raw: unknown = (fast ? fast.value : slowParse(file, text, withLines())) ?? {};
  const lineAt = (segs: readonly PropertyKey[]) => lineOf(withLines().doc, withLines().counter, segs);
  const absFile = path.resolve(file);
  const result = configSchema.safeParse(raw);
  const envSite = fromEnv(env);
  const slugs = planSlugs(looseTree((raw as { groups?: unknown }).groups), { keep: opts.storedKeys, lineOf: lineAt });
  const problems = ordered([
    ...schemaProblems(result.error?.issues ?? [], raw, lineAt),
    ...crossChecks(raw, absFile, envSite.site.state, lineAt),
    ...(opts.allowNoChannels ? [] : noChannelsProblems(raw, lineAt)),
    ...envSite.problems,
    ...queueProblems(result.data?.site, envSite.site, lineAt),
  ]);
  // A missing or empty name is a problem of the schema's: the slug made of "" adds nothing to it.
  const slugWarnings = problems.length ? slugs.warnings.filter((w) => !w.message.startsWith('"" ')) : slugs.warnings;
  const warnings = ordered([...slugWarnings, ...ruleWarnings(raw, lineAt)]);
  if (!result.success || problems.length) throw new ConfigError(file, problems, warnings);
  const data = { ...result.data, site: { ...result.data.site, ...envSite.site } };
  return resolveConfig(data, absFile, { ...slugs, warnings });
}

/** A queue needs a server state: said where the queue was set, the file's line or the environment. */
function queueProblems(
  site: { state?: string; queue?: string } | undefined,
  fromEnvironment: { state?: string; queue?: string },
  lineAt: (segs: readonly PropertyKey[]) => number | undefined,
): ConfigProblem[] {
  const queue = fromEnvironment.queue ?? site?.queue;
  const state = fromEnvironment.state ?? site?.state;
  if (queue === undefined || state === undefined) return [];
  const why = queueStateProblem(state);
  if (!why) return [];
  return [fromEnvironment.queue !== undefined ? { path: 'site.queue', message: `$REFEED_QUEUE: ${why}` } : { path: 'site.queue', line: lineAt(['site', 'queue']), message: why }];
}

export function loadConfig(file: string, env: ConfigEnv = process.env, opts: LoadOptions = {}): RefeedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, env, opts);
}

