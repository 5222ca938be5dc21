// Dev micro-bench for the publish stage alone, no network: builds a store the
// way ingest leaves it (article files + rows + cached content), then times
// publish() in this process. Each mode is meant to run in a fresh process:
//   npx tsx bench/publish-micro.ts build [--channels 1000] [--per 50] [--archive 50]
//   npx tsx bench/publish-micro.ts full|incr|noop [--channels 1000]
// Prints one JSON line: ms, peak RSS MB, report counters.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.ts';
import { silentLogger } from '../src/core/log.ts';
import type { RefeedConfig, ResolvedChannel } from '../src/core/types.ts';
import { publish } from '../src/publish/index.ts';
import { articleId, articlePath, articleRecord, cachedContent } from '../src/store/article-path.ts';
import { openState, type StateDb } from '../src/store/state-db.ts';
import { benchConfigYaml } from './bench-config.ts';
import { BENCH_DIR } from './child.ts';
import { DEFAULT_SEED, syntheticItem } from './corpus.ts';
import { articleFor } from './refeed-tasks.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { channels: { type: 'string', default: '1000' }, per: { type: 'string', default: '50' }, archive: { type: 'string', default: '50' } },
});
const mode = positionals[0] ?? 'full';
const channels = Number(values.channels);
const dir = path.join(BENCH_DIR, 'out', `pubmicro-${channels}`);
const configFile = path.join(dir, 'refeed.yaml');

function store(config: RefeedConfig, state: StateDb, channel: ResolvedChannel, item: number, withContent: boolean, now?: Date): void {
  const si = syntheticItem(DEFAULT_SEED, Number(channel.channel.slug.slice(1)), item);
  const { article, text } = articleFor(channel, si, now ?? si.date);
  const id = articleId(channel.key, article.identity);
  const rel = articlePath(article.slugs, id);
  const file = path.join(config.site.output, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  const st = statSync(file);
  state.upsertArticle(articleRecord(article, id, article.date.getTime(), rel), withContent ? cachedContent(article, st) : undefined);
}

function walk(output: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(output, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) { if (r !== 'articles') out.push(...walk(output, r)); } else out.push(r);
  }
  return out;
}

if (mode === 'build') {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(configFile, benchConfigYaml({ channels, urlOf: (i) => `http://127.0.0.1:9/${i}`, output: path.join(dir, 'output'), state: path.join(dir, 'state.db') }));
  const config = loadConfig(configFile);
  const state = openState(config.site.state);
  const per = Number(values.per), archive = Number(values.archive);
  for (const channel of config.channels) state.transaction(() => { for (let k = -archive; k < per; k++) store(config, state, channel, k, true); });
  console.log(JSON.stringify({ built: state.countArticles() }));
  state.close();
} else {
  const config = loadConfig(configFile);
  const output = config.site.output;
  if (mode === 'full') for (const rel of walk(output)) rmSync(path.join(output, rel));
  const state = openState(config.site.state);
  for (let k = 0; k < Number(process.env.WARMUPS ?? 0); k++) {
    const channel = config.channels[(k * 37) % config.channels.length];
    store(config, state, channel, 2000 + k + Math.floor(Math.random() * 1e6), true, new Date());
    await publish(config, state, { logger: silentLogger });
  }
  if (mode === 'incr') {
    const channel = config.channels[Math.floor(config.channels.length / 2)];
    store(config, state, channel, 1000 + Math.floor(Math.random() * 1e6), process.argv.includes('--content'), new Date());
  }
  const t0 = performance.now();
  const rw = process.env.RW ? { size: Number(process.env.RW) } : undefined;
  const r = await publish(config, state, { logger: silentLogger, full: mode === 'full' && process.argv.includes('--force'), renderWorkers: rw });
  const ms = performance.now() - t0;
  state.close();
  console.log(JSON.stringify({ mode, ms: Math.round(ms), rssMB: Math.round(process.resourceUsage().maxRSS / 1024), rebuilt: r.rebuilt.length, written: r.written.length, parsed: r.articlesParsed, skipped: r.skipped.length, errors: r.errors.length }));
}
