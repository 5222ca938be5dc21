import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import jsyaml from 'js-yaml';
import type { Document, LineCounter } from 'yaml';
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

// The yaml package's Document API is only needed to say where a problem is
// (see fastParse): loaded then, not by every command that reads the config.
const require = createRequire(import.meta.url);
const documentApi = () => require('yaml') as typeof import('yaml');

/** The 1-based line of the node at `segments`, or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, segments: readonly PropertyKey[]): number | undefined {
  const { isNode } = documentApi();
  for (let n = segments.length; n >= 0; n--) {
    const node = doc.getIn(segments.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The parsed document with line positions: built only when a problem must be located. */
interface Located {
  doc: Document;
  counter: LineCounter;
}

function locate(text: string): Located {
  const { LineCounter, parseDocument } = documentApi();
  const counter = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true }), counter };
}

// YAML 1.2's core schema as the `yaml` package reads it, for js-yaml, whose
// own core schema also reads 0b binary and turns -0 into 0.
const coreType = (name: string, test: RegExp, construct: (s: string) => unknown) =>
  new jsyaml.Type(`tag:yaml.org,2002:${name}`, { kind: 'scalar', resolve: (s: string | null) => s !== null && test.test(s), construct: (s: string | null) => construct(s ?? '') });
const CORE = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    coreType('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    coreType('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    coreType('int', /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (s) => (s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10))),
    coreType('float', /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/, (s) =>
      /nan$/i.test(s) ? NaN : /inf$/i.test(s) ? (s[0] === '-' ? -Infinity : Infinity) : parseFloat(s),
    ),
  ],
});

/** Whether a collection is reached twice (an alias of it): the Document API bounds how far aliases expand, js-yaml does not. */
function sharesCollections(value: unknown, seen = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (seen.has(value)) return true;
  seen.add(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (sharesCollections(v, seen)) return true;
  return false;
}

/**
 * The file's data by the fast path: js-yaml, with YAML 1.2's core schema as
 * the `yaml` package reads it, parses a 1,000-channel config 8× faster than
 * the Document API. Undefined when js-yaml fails (including on duplicate
 * keys) or an alias repeats a collection: the Document API then decides, and
 * says where. tests/config/fast-path.test.ts holds the two to the same result.
 */
export function fastParse(text: string): { value: unknown } | undefined {
  try {
    const value = jsyaml.load(text, { schema: CORE, json: false });
    return sharesCollections(value) ? undefined : { value };
  } catch {
    return undefined;
  }
}

/** The file's data by the Document API, or every syntax problem with its line. */
function slowParse(file: string, located: Located): unknown {
  const { doc, counter } = located;
  const yamlProblems: ConfigProblem[] = doc.errors.map((e) => ({
    path: '',
    line: counter.linePos(e.pos[0]).line,
    message: e.message.split('\n')[0],
  }));
  if (yamlProblems.length) throw new ConfigError(file, yamlProblems);
  return doc.toJS();
}

/**
 * Parses and validates config text; throws ConfigError listing every problem
 * with its path and line. `env` (the process's by default) overrides
 * site.state and site.queue.
 */
export function parseConfig(text: string, file: string, env: ConfigEnv = process.env): RefeedConfig {
  let located: Located | undefined;
  const withLines = () => (located ??= locate(text));
  const fast = fastParse(text);
  const raw = (fast ? fast.value : slowParse(file, withLines())) ?? {};
  const lineAt = (segs: readonly PropertyKey[]) => lineOf(withLines().doc, withLines().counter, segs);
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
        line: lineAt(target),
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
    throw new ConfigError(file, [fromEnv ? problem : { ...problem, line: lineAt(['site', 'queue']) }]);
  }
  return resolveConfig(data, path.resolve(file), lineAt);
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

