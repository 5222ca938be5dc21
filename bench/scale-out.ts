// What one `refeed worker` sustains, measured: N channels served from
// loopback, their fetch jobs queued at once on a real Redis, one worker
// process (the compiled CLI, as deployed) working them into a real
// PostgreSQL. Passes: cold (every item new), all 304, one new item per
// channel. Then what the run process's schedulers cost in Redis for N
// channels. Prints a markdown table; bench/scale-out.md holds the figures.
//
//   npm run build && npx tsx bench/scale-out.ts [--channels 2000] [--concurrency 16] [--items 20] [--latency MS]
//
// --latency delays every answer (a server across the internet): a worker
// then waits more than it works, and its concurrency sets its rate.
//
// Servers: REFEED_TEST_POSTGRES_URL / REFEED_TEST_REDIS_URL, else started
// here (tests/helpers/servers.ts).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { parseConfig } from '../src/config/index.ts';
import { silentLogger } from '../src/core/log.ts';
import { syncChannels } from '../src/ingest/index.ts';
import { FETCH_JOB, FETCH_JOB_OPTIONS, FETCH_QUEUE } from '../src/queue/jobs.ts';
import { closeQueueConnection, connectQueue, queueServer } from '../src/queue/redis.ts';
import { checkSchedules, jobDataOf, syncSchedules } from '../src/queue/schedules.ts';
import { PostgresStore } from '../src/store/postgres/store.ts';
import { postgresServer, redisServer, TestDatabases } from '../tests/helpers/servers.ts';

const { values } = parseArgs({
  options: { channels: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' }, items: { type: 'string', default: '20' }, latency: { type: 'string', default: '0' } },
});
const LATENCY_MS = Number(values.latency);
const N = Number(values.channels);
const C = Number(values.concurrency);
const ITEMS = Number(values.items);
const REPO = path.resolve(import.meta.dirname, '..');

// ---- upstream: channel i's feed lists its newest ITEMS items; version bumps add one. ETags make 304s.
const version = new Array<number>(N).fill(ITEMS);
let served = 0;
let notModified = 0;
const body = (i: number, v: number) => {
  const items = [];
  for (let k = v; k > v - ITEMS; k--) {
    items.push(
      `<item><title>Channel ${i} item ${k}</title><link>https://up.example/${i}/${k}</link><guid>c${i}-${k}</guid>` +
        `<pubDate>${new Date(Date.UTC(2024, 0, 1) + k * 60_000).toUTCString()}</pubDate>` +
        `<description>&lt;p&gt;${'Body text of a typical item, a paragraph or two long. '.repeat(8)}&lt;a href="https://up.example/${i}/${k}"&gt;more&lt;/a&gt;&lt;/p&gt;</description></item>`,
    );
  }
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Channel ${i}</title><link>https://up.example/${i}</link>${items.join('')}</channel></rss>`;
};
const upstream = http.createServer((req, res) => {
  const i = Number(/^\/c\/(\d+)\.xml$/.exec(req.url ?? '')?.[1]);
  if (!(i >= 0 && i < N)) return void res.writeHead(404).end();
  const answer = () => {
    served++;
    const etag = `"v${version[i]}"`;
    if (req.headers['if-none-match'] === etag) {
      notModified++;
      return void res.writeHead(304, { etag }).end();
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(body(i, version[i]));
  };
  if (LATENCY_MS > 0) setTimeout(answer, LATENCY_MS);
  else answer();
});
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;

// ---- servers, configuration, store
const pg = await postgresServer();
const redis = await redisServer();
if ('skip' in pg || 'skip' in redis) throw new Error(`servers: ${'skip' in pg ? pg.skip : ''} ${'skip' in redis ? redis.skip : ''}`);
const databases = new TestDatabases(pg.url, 'refeed_bench');
const state = await databases.create();
const queueUrl = `${redis.url}?prefix=refeed-bench-${process.pid}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-scale-bench-'));
const file = path.join(dir, 'refeed.yaml');
const lines = [`site: { output: out, concurrency: ${C}, per_host_concurrency: ${C} }`, 'defaults: { schedule: "*/30 * * * *", allow_private: true, timeout: 30s }', 'groups:'];
for (let g = 0; g < 10; g++) {
  lines.push(`  - name: g${g}`, '    sources:');
  for (let s = 0; s < 10; s++) {
    lines.push(`      - name: s${s}`, '        channels:');
    for (let i = g * 10 + s; i < N; i += 100) lines.push(`          - { name: c${i}, url: "${base}/c/${i}.xml" }`);
  }
}
writeFileSync(file, `${lines.join('\n')}\n`);
const config = parseConfig(`${lines.join('\n')}\n`, file, { REFEED_STATE: state, REFEED_QUEUE: queueUrl });
const store = await PostgresStore.open(state);
await syncChannels(config, store, Date.now(), silentLogger);
const ids = new Map((await store.channelStates()).map((s) => [s.key, s.id]));

const server = queueServer(queueUrl);
const client = await connectQueue(server, silentLogger, 'bench');
const queue = new Queue(FETCH_QUEUE, { connection: client, prefix: server.prefix });

// ---- one worker process, as deployed
const worker = spawn(process.execPath, [path.join(REPO, 'bin/refeed.js'), 'worker', '--config', file, '--concurrency', String(C)], {
  env: { ...process.env, REFEED_STATE: state, REFEED_QUEUE: queueUrl, REFEED_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pass(name: string): Promise<{ name: string; ms: number; notModified: number }> {
  const [servedBefore, nmBefore] = [served, notModified];
  const queuedAt = Date.now();
  const jobs = config.channels.map((c) => ({
    name: FETCH_JOB,
    data: { ...jobDataOf(config, c, ids.get(c.key)!, 'UTC'), queuedAt },
    opts: { ...FETCH_JOB_OPTIONS, jobId: `bench:${name}:${ids.get(c.key)}` },
  }));
  const t0 = performance.now();
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  for (;;) {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed');
    if (served - servedBefore >= N && counts.wait + counts.active === 0) break;
    await sleep(50);
  }
  return { name, ms: performance.now() - t0, notModified: notModified - nmBefore };
}

try {
  await sleep(1500); // the worker's start-up (module loading, connections) is not what is measured
  const rows = [await pass('cold')];
  rows.push(await pass('304'));
  version.fill(ITEMS + 1);
  rows.push(await pass('new'));
  rows.push(await pass('304 again'));
  const articles = await store.countArticles();

  // The run process's side: N job schedulers upserted from nothing, then a sync that changes nothing.
  await client.call('MEMORY', 'PURGE').catch(() => undefined);
  const memory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
  const before = await memory();
  let t = performance.now();
  const first = await syncSchedules(queue, config, store, silentLogger, { tz: 'UTC' });
  const firstMs = performance.now() - t;
  const bytesPerScheduler = ((await memory()) - before) / N;
  t = performance.now();
  await syncSchedules(queue, config, store, silentLogger, { tz: 'UTC' });
  const againMs = performance.now() - t;
  t = performance.now();
  await checkSchedules(queue, config, silentLogger);
  const checkMs = performance.now() - t;

  const perMin = (ms: number) => Math.round((N / ms) * 60_000);
  console.log(`\n${N} channels × ${ITEMS} items, ${LATENCY_MS} ms latency, one worker at --concurrency ${C}; ${os.availableParallelism()} cores (${os.cpus()[0]?.model}), load ${os.loadavg()[0].toFixed(1)}; Node ${process.version}\n`);
  console.log('| pass | time | channels/min | 304s |');
  console.log('|---|--:|--:|--:|');
  for (const r of rows) console.log(`| ${r.name} | ${(r.ms / 1000).toFixed(2)} s | ${perMin(r.ms).toLocaleString('en')} | ${r.notModified} |`);
  console.log(`\nArticles stored: ${articles.toLocaleString('en')} (expected ${(N * (ITEMS + 1)).toLocaleString('en')}).`);
  console.log(`Schedulers: ${first.upserted} upserted in ${(firstMs / 1000).toFixed(2)} s (${Math.round(first.upserted / (firstMs / 1000))}/s), a sync changing nothing ${(againMs / 1000).toFixed(2)} s, the periodic check ${Math.round(checkMs)} ms; ${Math.round(bytesPerScheduler)} bytes of Redis memory each (scheduler + its next job).`);
} finally {
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await closeQueueConnection(client);
  await store.close();
  await databases.dropAll();
  await Promise.all([pg.stop(), redis.stop()]);
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
}
