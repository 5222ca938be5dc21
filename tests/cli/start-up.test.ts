import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/refeed-process.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';

// What each command loads decides how fast it starts (issue 12): the CLI
// runs compiled code, `--help` loads no dependency, `status` none of the
// fetch, parse or publish stages, and worker threads never read the YAML
// configuration (they get settings in their messages). A module-load hook
// records every module each thread loads; timings are the benchmark's job.

const run = promisify(execFile);

const HOOKS = `
import { appendFileSync } from 'node:fs';
const log = process.env.REFEED_TEST_MODULE_LOG;
export async function load(url, context, next) {
  if (log && !url.startsWith('node:')) appendFileSync(log, url + '\\n');
  return next(url, context);
}`;

let dir: string;
let upstream: TestServer;
let config: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-start-up-'));
  writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
  writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${path.join(dir, 'hooks.mjs')}`).href)});\n`);
  const item = (i: number) => `<item><title>Item ${i}</title><link>https://example.org/${i}</link><description><![CDATA[<p>Body ${i}</p>]]></description></item>`;
  upstream = await startServer(
    routes({ '/feed.xml': { body: `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.org/</link>${[1, 2, 3].map(item).join('')}</channel></rss>`, type: 'application/rss+xml' } }),
  );
  config = path.join(dir, 'refeed.yaml');
  writeFileSync(
    config,
    [
      'site:',
      '  title: start-up',
      '  url: https://feeds.example.org/',
      `  output: ${path.join(dir, 'out')}`,
      `  state: ${path.join(dir, 'state.db')}`,
      'defaults:',
      '  allow_private: true',
      'groups:',
      '  - name: G',
      '    sources:',
      '      - name: S',
      '        channels:',
      '          - name: C',
      `            url: ${upstream.url}/feed.xml`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The modules `refeed ...args` loaded, as paths relative to the repository.
 * (Module hooks run on a thread of their own: which thread asked is not
 * known there, so worker threads are checked by their import graph below.)
 */
async function modulesOf(args: string[]): Promise<string[]> {
  const log = path.join(dir, `modules-${args[0].replace(/\W/g, '')}.log`);
  rmSync(log, { force: true });
  await run(process.execPath, ['--import', path.join(dir, 'register.mjs'), BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, REFEED_TEST_MODULE_LOG: log, REFEED_LOG_LEVEL: 'silent' },
  });
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((url) => (url.startsWith('file://') ? path.relative(REPO, new URL(url).pathname) : url));
}

/**
 * Every module a compiled entry imports statically, transitively (dynamic
 * import() is what a module loads only when needed, so it is not followed):
 * dist files by path, packages by name.
 */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(path.join(REPO, file), 'utf8');
    for (const m of code.matchAll(/^(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) visit(path.join(path.dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  };
  visit(entry);
  return { files, packages };
}

const packagesIn = (mods: readonly string[]) => new Set(mods.filter((m) => m.startsWith('node_modules/')).map((m) => m.split('/').slice(1, m.split('/')[1].startsWith('@') ? 3 : 2).join('/')));
const stagesIn = (mods: readonly string[]) => new Set(mods.filter((m) => m.startsWith('dist/')).map((m) => m.split('/')[1]));

describe('start-up: what each command loads', () => {
  it('runs compiled JavaScript only: no TypeScript source, no tsx', async () => {
    const mods = await modulesOf(['once', '--all', '--config', config]);
    expect(mods.filter((m) => m.startsWith('src/') || m.endsWith('.ts'))).toEqual([]);
    expect([...packagesIn(mods)].filter((p) => p === 'tsx')).toEqual([]);
  }, 30_000);

  it('--help loads no dependency and no stage', async () => {
    const mods = await modulesOf(['--help']);
    expect([...packagesIn(mods)]).toEqual([]);
    // The default config file's name (a constant) is in the usage text.
    expect([...stagesIn(mods.filter((m) => m !== 'dist/config/names.js'))].filter((s) => !['cli', 'core', 'util'].includes(s))).toEqual([]);
  }, 30_000);

  it('status reads the config and the store, and loads none of fetch, normalize, publish or the PostgreSQL driver', async () => {
    await run(process.execPath, [BIN, 'once', '--all', '--config', config], { cwd: REPO, env: { ...process.env, REFEED_LOG_LEVEL: 'silent' } });
    const mods = await modulesOf(['status', '--json', '--config', config]);
    // ingest/sync.ts is in (how the store names configured channels), ingest/article-tree.ts (whether article files exist beside an
    // empty state), and schedule/ (the NEXT RUN column is the schedule's next due time).
    const stages = stagesIn(mods.filter((m) => m !== 'dist/ingest/sync.js' && m !== 'dist/ingest/article-tree.js'));
    for (const s of ['fetch', 'normalize', 'publish', 'ingest', 'serve', 'queue']) expect(stages.has(s), `status loaded dist/${s}`).toBe(false);
    const packages = packagesIn(mods);
    for (const p of ['undici', 'htmlparser2', 'fast-xml-parser', 'pg', 'bullmq', 'ioredis', 'js-yaml']) expect(packages.has(p), `status loaded ${p}`).toBe(false);
    expect(packages.has('better-sqlite3')).toBe(true);
    // The one YAML library reads the configuration.
    expect(packages.has('yaml')).toBe(true);
  }, 30_000);

  // The prepare worker also loads, by URL, the module that encodes items' feed fragments (dist/publish/fragments.js).
  it.each(['dist/ingest/prepare-worker-main.js', 'dist/publish/fragments.js'])('the worker thread code %s never reads the configuration (settings come in its messages)', (entry) => {
    const { files, packages } = staticGraph(entry);
    expect([...files].filter((f) => f.startsWith('dist/config/') || f.startsWith('dist/cli/'))).toEqual([]);
    // js-yaml is no runtime dependency at all (Hexo's reader, for the tests only).
    expect(packages.has('js-yaml')).toBe(false);
  });
});
