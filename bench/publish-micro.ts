// Dev micro-bench for the publish stage alone, no network: builds a store the
// way ingest leaves it (article files + rows + cached content), then times
// publish() in this process. Each mode is meant to run in a fresh process:
//   npx tsx bench/publish-micro.ts build [--channels 1000] [--per 50] [--archive 50]
//   npx tsx bench/publish-micro.ts full|incr|noop [--channels 1000]
// Prints one JSON line: ms, peak RSS MB, report counters.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RefeedConfig, ResolvedChannel } from '../src/core/types.ts';
import type { Store } from '../src/store/index.ts';
import { AtomicWriter, loadConfig, openStore, publish, silentLogger, syncChannels } from './refeed.ts';
import { storeArticles } from './store-articles.ts';
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

const files = new AtomicWriter();
async function store(config: RefeedConfig, state: Store, channel: ResolvedChannel, items: number[], now?: Date): Promise<void> {
  const articles = items.map((item) => {
    const si = syntheticItem(DEFAULT_SEED, Number(channel.channel.slug.slice(1)), item);
    return articleFor(channel, si, now ?? si.date);
  });
  await storeArticles(config, state, channel, articles, files);
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
  const state = await openStore(config.site.state);
  await syncChannels(config, state, Date.now(), silentLogger);
  const per = Number(values.per), archive = Number(values.archive);
  for (const channel of config.channels) await store(config, state, channel, Array.from({ length: archive + per }, (_, k) => k - archive));
  console.log(JSON.stringify({ built: await state.countArticles() }));
  await state.close();
} else {
  const config = loadConfig(configFile);
  const output = config.site.output;
  if (mode === 'full') for (const rel of walk(output)) rmSync(path.join(output, rel));
  const state = await openStore(config.site.state);
  for (let k = 0; k < Number(process.env.WARMUPS ?? 0); k++) {
    const channel = config.channels[(k * 37) % config.channels.length];
    await store(config, state, channel, [2000 + k + Math.floor(Math.random() * 1e6)], new Date());
    await publish(config, state, { logger: silentLogger });
  }
  if (mode === 'incr') {
    const channel = config.channels[Math.floor(config.channels.length / 2)];
    await store(config, state, channel, [1000 + Math.floor(Math.random() * 1e6)], new Date());
  }
  const t0 = performance.now();
  const r = await publish(config, state, { logger: silentLogger, full: mode === 'full' && process.argv.includes('--force') });
  const ms = performance.now() - t0;
  await state.close();
  console.log(JSON.stringify({ mode, ms: Math.round(ms), rssMB: Math.round(process.resourceUsage().maxRSS / 1024), rebuilt: r.rebuilt.length, written: r.written.length, skipped: r.skipped.length, errors: r.errors.length }));
}
