import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { RefeedConfig } from '../core/types.ts';
import { configSchema } from './schema.ts';
export { DEFAULT_CONFIG_FILE } from './names.ts';
import { resolveConfig } from './resolve.ts';
import { ConfigError, formatPath, type ConfigProblem } from './errors.ts';
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

/** The 1-based line of the node at `segments`, or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, segments: readonly PropertyKey[]): number | undefined {
  for (let n = segments.length; n >= 0; n--) {
    const node = doc.getIn(segments.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Parses and validates config text; throws ConfigError listing every problem
 * with its path and line. `env` (the process's by default) overrides
 * site.state and site.queue.
 */
export function parseConfig(text: string, file: string, env: ConfigEnv = process.env): RefeedConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const yamlProblems: ConfigProblem[] = doc.errors.map((e) => ({
    path: '',
    line: counter.linePos(e.pos[0]).line,
    message: e.message.split('\n')[0],
  }));
  if (yamlProblems.length) throw new ConfigError(file, yamlProblems);
  const raw = doc.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  const envSite = fromEnv(env);
  if (!result.success || envSite.problems.length) {
    const problems = (result.error?.issues ?? []).map((issue) => {
      const segs = issue.path as PropertyKey[];
      const unknown = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
      // Point unknown keys at the key itself, not at its parent object.
      const target = unknown?.length ? [...segs, unknown[0]] : segs;
      return {
        path: formatPath(target),
        line: lineOf(doc, counter, target),
        message: unknown ? `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}` : issue.message,
      };
    });
    throw new ConfigError(file, [...problems, ...envSite.problems]);
  }
  const data = { ...result.data, site: { ...result.data.site, ...envSite.site } };
  const needsServer = data.site.queue === undefined ? undefined : queueStateProblem(data.site.state);
  if (needsServer) {
    // Said where the queue was set: the file's line, or the environment.
    const fromEnv = envSite.site.queue !== undefined;
    const problem = { path: 'site.queue', message: fromEnv ? `$REFEED_QUEUE: ${needsServer}` : needsServer };
    throw new ConfigError(file, [fromEnv ? problem : { ...problem, line: lineOf(doc, counter, ['site', 'queue']) }]);
  }
  return resolveConfig(data, path.resolve(file), (segs) => lineOf(doc, counter, segs));
}

export function loadConfig(file: string, env: ConfigEnv = process.env): RefeedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, env);
}

