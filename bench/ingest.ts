// Ingest-only measurement (fetch → normalize → store, no publish), in this
// process, against the bench corpus served by the forked corpus server:
//   npx tsx bench/ingest.ts [channels=100] [items=50]
// Run under `node --cpu-prof --import tsx bench/ingest.ts` to profile ingest
// alone (the corpus server is another process, so it stays out of the profile).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, openStore, PreparePool, runFetch, silentLogger } from './refeed.ts';
import { benchConfigYaml } from './bench-config.ts';
import { BENCH_DIR } from './child.ts';
import { ensureCorpus } from './corpus-store.ts';
import { startCorpusServer } from './server-client.ts';

const channels = Number(process.argv[2] ?? 100);
const items = Number(process.argv[3] ?? 50);
const workers = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const seed = 20240601;
const out = path.join(BENCH_DIR, 'out');
const corpus = await ensureCorpus(path.join(out, 'corpus'), { seed, channels, items }, 2);
const server = await startCorpusServer({ dir: corpus.dir, seed, channels, items, ports: 16 });
const dir = path.join(out, `ingest-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const configFile = path.join(dir, 'refeed.yaml');
writeFileSync(
  configFile,
  benchConfigYaml({ channels, urlOf: (i) => server.urlOf(i), output: path.join(dir, 'output'), state: path.join(dir, 'state.db') }),
);

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
try {
  let t = performance.now();
  const config = loadConfig(configFile);
  console.log(`config: ${ms(t)}`);
  const state = await openStore(config.site.state);
  t = performance.now();
  const pool = new PreparePool({ size: workers });
  let reports = await runFetch(config, state, { logger: silentLogger, pool });
  await pool.close();
  const stored = reports.reduce((n, r) => n + r.newItems, 0);
  console.log(`cold: ${ms(t)} (${stored} items, ${reports.filter((r) => r.error).length} errors)`);
  t = performance.now();
  reports = await runFetch(config, state, { logger: silentLogger });
  console.log(`warm: ${ms(t)} (${reports.filter((r) => r.status === 'not-modified').length} × 304)`);
  await server.addItem(Math.floor(channels / 2));
  t = performance.now();
  reports = await runFetch(config, state, { logger: silentLogger });
  console.log(`one-new: ${ms(t)} (${reports.reduce((n, r) => n + r.newItems, 0)} new)`);
  await state.close();
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
