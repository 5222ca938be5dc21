import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { feedKeysOf } from '../src/store/index.ts';
import { HELP, parseBenchArgs, type BenchOptions } from './args.ts';
import { benchConfigYaml, channelKeyOf } from './bench-config.ts';
import { BENCH_DIR } from './child.ts';
import { channelSpec } from './corpus.ts';
import { ensureCorpus } from './corpus-store.ts';
import { measure, type Measurement } from './measure.ts';
import { measureParseRows } from './parse-rows.ts';
import { formatSelfTime, topSelfTime, type CpuProfile } from './profile.ts';
import { coldVerdict, fmtMs, formatTable, oneNewVerdict, publishVerdict, rates, rssVerdict, spread, startupVerdict, TARGETS, warmVerdict, type Row } from './report.ts';
import { startCorpusServer, type CorpusServer } from './server-client.ts';
import type { ServerStats } from './server.ts';
import type { Task } from './tasks.ts';

const OUT_DIR = path.join(BENCH_DIR, 'out');
const say = (msg: string) => void process.stderr.write(`bench: ${msg}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Ctx {
  opts: BenchOptions;
  server: CorpusServer;
  work: string;
  urls: string[];
  /** The cached corpus files (the bytes the server serves). */
  corpusDir: string;
}

/** One measured task plus what the corpus server saw during it. */
interface Run extends Measurement {
  served: ServerStats;
}

async function run(ctx: Ctx, task: Task, nodeArgs?: string[]): Promise<Run> {
  const before = await ctx.server.stats();
  const m = await measure(task, { nodeArgs });
  const after = await ctx.server.stats();
  const served = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof ServerStats]])) as unknown as ServerStats;
  return { ...m, served };
}

/** A fresh output folder + state db + config file for the corpus (or for `server`'s, with `channels` channels). */
function freshSite(ctx: Ctx, name: string, server = ctx.server, channels = ctx.opts.channels): { dir: string; configFile: string } {
  const dir = path.join(ctx.work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'refeed.yaml');
  const yaml = benchConfigYaml({
    channels,
    urlOf: (i) => server.urlOf(i),
    output: path.join(dir, 'output'),
    state: path.join(dir, 'state.db'),
  });
  writeFileSync(configFile, yaml);
  return { dir, configFile };
}

/** Feed folders ('' merged, 'g/', 'g/s/', 'g/s/c/') a new item in `channel` may touch. */
function affectedDirs(channel: number): Set<string> {
  const s = channelSpec(channel);
  return new Set(feedKeysOf([s.group.slug, s.source.slug, s.channel.slug]).map((k) => (k ? `${k}/` : '')));
}

function fileDir(rel: string): string {
  const d = path.posix.dirname(rel);
  return d === '.' ? '' : `${d}/`;
}

/** Why a one-new-item run published more (or other) than the new item's feeds, or undefined when it did not. */
export function checkOnlyAffected(channel: number, detail: Record<string, unknown>): string | undefined {
  const dirs = affectedDirs(channel);
  const keys = new Set([...dirs].map((d) => d.replace(/\/$/, '')));
  const problems: string[] = [];
  if (detail.newItems !== 1) problems.push(`${detail.newItems} new items stored, expected 1`);
  // A CLI run reports no feed keys: the folders of the feed files it rewrote say which it rebuilt.
  const rebuilt =
    (detail.rebuilt as string[] | undefined) ??
    [...new Set(((detail.changedFeedFiles as string[] | undefined) ?? []).filter((f) => !f.startsWith('index.')).map((f) => fileDir(f).replace(/\/$/, '')))];
  const extraRebuilt = rebuilt.filter((k) => !keys.has(k));
  if (extraRebuilt.length) problems.push(`rebuilt unrelated feeds: ${extraRebuilt.slice(0, 5).join(', ')}${extraRebuilt.length > 5 ? '…' : ''}`);
  if (!rebuilt.includes(channelKeyOf(channel))) problems.push(`the channel's own feed was not rebuilt`);
  const changed = (detail.changedFeedFiles as string[] | undefined) ?? [];
  const extraFiles = changed.filter((f) => !dirs.has(fileDir(f)));
  if (extraFiles.length) problems.push(`rewrote unrelated files: ${extraFiles.slice(0, 5).join(', ')}${extraFiles.length > 5 ? '…' : ''}`);
  return problems.length ? problems.join('; ') : undefined;
}

/** Writes still in the page cache go to disk now, not during the next measurement. */
function settleDisk(): void {
  try {
    execFileSync('sync');
  } catch {
    // no sync(1): measured as it comes
  }
}

async function runProfile(ctx: Ctx): Promise<number> {
  const profDir = path.join(OUT_DIR, 'profile');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // A folder of its own: node writes one profile per thread, and the tsx
  // loader runs on a thread of its own; the main thread's file has thread id 0.
  const rawDir = path.join(profDir, `raw-${stamp}`);
  mkdirSync(rawDir, { recursive: true });
  const site = freshSite(ctx, 'profile');
  say(`profiling one cold cycle (${ctx.opts.channels} channels × ${ctx.opts.items} items)…`);
  const m = await run(ctx, { kind: 'cycle', configFile: site.configFile }, ['--cpu-prof', '--cpu-prof-dir', rawDir]);
  const main = readdirSync(rawDir).find((f) => /^CPU\.[\d.]+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!main) throw new Error(`no main-thread profile in ${rawDir} (found: ${readdirSync(rawDir).join(', ') || 'nothing'})`);
  const file = path.join(profDir, `cold-${ctx.opts.channels}x${ctx.opts.items}-${stamp}.cpuprofile`);
  renameSync(path.join(rawDir, main), file);
  // The worker threads' profiles stay beside it: prepare and render workers do half the work.
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const summary = topSelfTime(profile, 15, path.resolve(BENCH_DIR, '..'));
  const text = [
    `# Cold cycle profile — top 15 functions by self time`,
    '',
    `Profile: ${path.relative(process.cwd(), file)} (open in Chrome DevTools → Performance, or VS Code)`,
    `Cold cycle under the profiler: ${secs(m.ms)}, ${m.items} items, peak RSS ${m.maxRssMB.toFixed(0)} MB (profiling slows it; not a measurement)`,
    '',
    formatSelfTime(summary),
    '',
  ].join('\n');
  process.stdout.write(text);
  writeFileSync(path.join(profDir, 'top.md'), text);
  return 0;
}

function machineLines(opts: BenchOptions, corpusBytes: number, storeArticles: number): string[] {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
    `- Node ${process.version}`,
    `- Corpus: ${opts.channels.toLocaleString('en')} channels × ${opts.items} items = ${(opts.channels * opts.items).toLocaleString('en')} items, ` +
      `half RSS 2.0 / half Atom 1.0, ${(corpusBytes / 1e6).toFixed(1)} MB (${(corpusBytes / opts.channels / 1024).toFixed(0)} KB a feed), seed ${opts.seed}, ` +
      `served from ${opts.ports} loopback ports`,
    `- Store for the publish and one-new-item measurements: ${storeArticles.toLocaleString('en')} articles`,
    `- ${opts.runs} run${opts.runs > 1 ? 's' : ''} per measurement, each in a fresh process; median (min–max)${opts.quick ? '; --quick smoke run' : ''}`,
  ];
}

function sumBy<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((n, x) => n + f(x), 0);
}

async function runAll(ctx: Ctx, corpusBytes: number): Promise<number> {
  const { opts } = ctx;
  const runs = opts.runs;
  const expectedItems = opts.channels * opts.items;
  const notes: string[] = [];
  const problems: string[] = [];

  // The config as refeed resolves it, so the baseline uses refeed's own defaults.
  const probe = freshSite(ctx, 'probe');
  const config = loadConfig(probe.configFile);
  const concurrency = config.site.concurrency;

  say(`baseline ×${runs} (concurrency ${concurrency})…`);
  const baseline: Run[] = [];
  for (let r = 0; r < runs; r++) {
    settleDisk();
    const m = await run(ctx, { kind: 'baseline', urls: ctx.urls, concurrency, limit: config.site.limit, outFile: path.join(ctx.work, 'baseline.xml') });
    if (m.detail.failed) problems.push(`baseline run ${r + 1}: ${m.detail.failed} feeds failed`);
    say(`  baseline ${r + 1}: ${secs(m.ms)}, ${m.items} items`);
    baseline.push(m);
  }

  say(`cold full cycle ×${runs}…`);
  const cold: Run[] = [];
  let site = probe;
  const earlier: string[] = [];
  for (let r = 0; r < runs; r++) {
    // The run before's files are deleted only after the last run, and its
    // writes flushed before this one starts: neither is this run's work (on
    // a disk mounted with `discard`, deleting 50,000 files stalls the next
    // writes for seconds).
    if (r > 0) earlier.push(site.dir);
    settleDisk();
    site = freshSite(ctx, `cold-${r}`);
    const m = await run(ctx, { kind: 'cycle', configFile: site.configFile });
    const d = m.detail as { newItems: number; statuses: Record<string, number> };
    if (d.newItems !== expectedItems) problems.push(`cold run ${r + 1}: stored ${d.newItems} items, expected ${expectedItems} (statuses ${JSON.stringify(d.statuses)})`);
    say(`  cold ${r + 1}: ${secs(m.ms)}, ${d.newItems} items, ${m.maxRssMB.toFixed(0)} MB`);
    cold.push(m);
  }
  for (const dir of [probe.dir, ...earlier]) rmSync(dir, { recursive: true, force: true });

  // The archive: older articles that fell off the source feeds, as a long-running install has.
  const target = Math.max(opts.store, expectedItems);
  say(`padding the store to ${target.toLocaleString('en')} articles (untimed setup)…`);
  const pad = await measure({ kind: 'pad', configFile: site.configFile, seed: opts.seed, items: opts.items, channels: opts.channels, target });
  const storeArticles = pad.detail.articles as number;
  say(`  ${storeArticles} articles; padding ${secs(pad.detail.padMs as number)}, settling publish (all feeds dirty) ${secs(pad.detail.publishMs as number)}`);
  notes.push(
    `Store padding: ${((pad.detail.added as number) ?? 0).toLocaleString('en')} older archive articles added directly (rendered with normalize's article renderer, stored through the store's commit, as ingest does) ` +
      `in ${secs(pad.detail.padMs as number)}; the publish that followed (every feed dirty, files present) took ${secs(pad.detail.publishMs as number)}.`,
  );

  say(`warm unchanged cycle ×${runs}…`);
  const warm: Run[] = [];
  for (let r = 0; r < runs; r++) {
    const m = await run(ctx, { kind: 'cycle', configFile: site.configFile, checkFeeds: true });
    const d = m.detail as { newItems: number; rebuilt: string[]; changedFeedFiles: string[] };
    if (m.served.notModified !== opts.channels || m.served.ok !== 0) problems.push(`warm run ${r + 1}: server answered ${m.served.notModified} × 304 and ${m.served.ok} × 200, expected ${opts.channels} × 304`);
    if (d.newItems !== 0 || d.rebuilt.length || d.changedFeedFiles.length)
      problems.push(`warm run ${r + 1}: ${d.newItems} new items, ${d.rebuilt.length} feeds rebuilt, ${d.changedFeedFiles.length} files rewritten (expected none)`);
    say(`  warm ${r + 1}: ${secs(m.ms)}, ${m.served.notModified} × 304`);
    warm.push(m);
  }

  say(`one-new-item cycle ×${runs}…`);
  const oneNew: Run[] = [];
  let onlyAffected = true;
  let oneNewProblem: string | undefined;
  for (let r = 0; r < runs; r++) {
    const channel = (r * 7919 + Math.floor(opts.channels / 2)) % opts.channels;
    await ctx.server.addItem(channel);
    // As cron starts it: a fresh process of the compiled CLI, every channel checked (--all).
    const m = await run(ctx, { kind: 'cli', args: ['once', '--all', '-c', site.configFile], repeat: 1, checkFeeds: path.join(site.dir, 'output') });
    const problem = checkOnlyAffected(channel, m.detail);
    if (problem) {
      onlyAffected = false;
      oneNewProblem ??= problem;
      problems.push(`one-new-item run ${r + 1} (channel ${channelKeyOf(channel)}): ${problem}`);
    }
    const d = m.detail as { changedFeedFiles: string[] };
    say(`  one-new ${r + 1}: ${secs(m.ms)}, ${d.changedFeedFiles.length} files written`);
    if (r === 0) notes.push(`One-new-item cycle, run 1 (channel ${channelKeyOf(channel)}): files written: ${d.changedFeedFiles.join(', ')}.`);
    oneNew.push(m);
  }

  say(`one new item in a running daemon (that channel's tick) ×${runs}…`);
  const oneNewLong: Run[] = [];
  for (let r = 0; r < runs; r++) {
    const channel = (r * 6007 + Math.floor(opts.channels / 3)) % opts.channels;
    await ctx.server.addItem(channel);
    const m = await run(ctx, { kind: 'tick', configFile: site.configFile, channel: channelKeyOf(channel) });
    const problem = checkOnlyAffected(channel, m.detail);
    if (problem) problems.push(`one-new-item (daemon tick) run ${r + 1} (channel ${channelKeyOf(channel)}): ${problem}`);
    say(`  daemon tick ${r + 1}: ${secs(m.ms)}`);
    oneNewLong.push(m);
  }

  // Start-up: the real CLI in fresh processes against a bare `node -e 0`, alternated, many times each.
  say('start-up: refeed --help and refeed status against node -e 0…');
  const startup = { node: [] as Run[], help: [] as Run[], status: [] as Run[] };
  for (let r = 0; r < runs; r++) {
    startup.node.push(await run(ctx, { kind: 'cli', args: ['-e', '0'], repeat: 11 }));
    startup.help.push(await run(ctx, { kind: 'cli', args: ['--help'], repeat: 11 }));
    startup.status.push(await run(ctx, { kind: 'cli', args: ['status', '-c', site.configFile], repeat: 11 }));
  }

  say(`publish alone, full (feed files deleted) ×${runs}…`);
  const pubFull: Run[] = [];
  for (let r = 0; r < runs; r++) {
    for (const [label, into] of [['', pubFull]] as const) {
      const m = await run(ctx, { kind: 'publish', configFile: site.configFile, full: true });
      const d = m.detail as { feeds: number; rebuilt: number; errors: number; skipped: number };
      if (d.rebuilt !== d.feeds || d.errors || d.skipped) problems.push(`full publish${label} run ${r + 1}: rebuilt ${d.rebuilt}/${d.feeds} feeds, ${d.errors} errors, ${d.skipped} skipped`);
      say(`  publish full${label} ${r + 1}: ${secs(m.ms)}, ${d.rebuilt} feeds, ${m.maxRssMB.toFixed(0)} MB`);
      into.push(m);
    }
  }

  say(`publish alone, incremental (one new article) ×${runs}…`);
  const pubIncr: Run[] = [];
  for (let r = 0; r < runs; r++) {
    const channel = (r * 104729 + 1) % opts.channels;
    const m = await run(ctx, { kind: 'publish', configFile: site.configFile, full: false, insert: { channel, seed: opts.seed, item: 1_000_000 + r } });
    const d = m.detail as { rebuilt: number; rebuiltKeys: string[] };
    const spec = channelSpec(channel);
    const expected = new Set(feedKeysOf([spec.group.slug, spec.source.slug, spec.channel.slug]));
    if (d.rebuiltKeys.some((k) => !expected.has(k)) || d.rebuilt !== expected.size)
      problems.push(`incremental publish run ${r + 1}: rebuilt ${JSON.stringify(d.rebuiltKeys)}, expected the ${expected.size} feeds of ${channelKeyOf(channel)}`);
    say(`  publish incremental ${r + 1}: ${secs(m.ms)}, ${d.rebuilt} feeds`);
    pubIncr.push(m);
  }

  const parse = await measureParseRows(opts, ctx.corpusDir, say);
  problems.push(...parse.problems);

  // The warm-cycle target is for 10,000 channels: measured, not extrapolated,
  // on a corpus of its own (one item a channel keeps its cold cycle short; a
  // 304 costs the same whatever the feed holds), after one untimed cold cycle.
  const warmAtScale: Run[] = [];
  if (opts.warmChannels) {
    const n = opts.warmChannels;
    say(`warm unchanged cycle at ${n.toLocaleString('en')} channels: corpus and one untimed cold cycle…`);
    const corpus = await ensureCorpus(path.join(OUT_DIR, 'corpus'), { seed: opts.seed, channels: n, items: 1 }, Math.max(1, os.cpus().length));
    const server = await startCorpusServer({ dir: corpus.dir, seed: opts.seed, channels: n, items: 1, ports: opts.ports });
    try {
      const big = freshSite(ctx, `warm-${n}`, server, n);
      const first = await measure({ kind: 'cycle', configFile: big.configFile });
      if (first.detail.newItems !== n) problems.push(`warm ${n}: the cold cycle stored ${first.detail.newItems} items, expected ${n}`);
      say(`  cold (setup): ${secs(first.ms)}`);
      notes.push(`Warm cycle at ${n.toLocaleString('en')} channels: measured on a ${n.toLocaleString('en')}-channel corpus of one item a channel, after one cold cycle of it (${secs(first.ms)}, untimed setup).`);
      for (let r = 0; r < runs; r++) {
        const before = await server.stats();
        const m = await measure({ kind: 'cycle', configFile: big.configFile, checkFeeds: true });
        const after = await server.stats();
        const notModified = after.notModified - before.notModified;
        const d = m.detail as { newItems: number; rebuilt: string[]; changedFeedFiles: string[] };
        if (notModified !== n || after.ok !== before.ok) problems.push(`warm ${n} run ${r + 1}: ${notModified} × 304 and ${after.ok - before.ok} × 200, expected ${n} × 304`);
        if (d.newItems !== 0 || d.rebuilt.length || d.changedFeedFiles.length) problems.push(`warm ${n} run ${r + 1}: ${d.rebuilt.length} feeds rebuilt, ${d.changedFeedFiles.length} files rewritten (expected none)`);
        say(`  warm ${n} ${r + 1}: ${secs(m.ms)}`);
        warmAtScale.push({ ...m, served: { ...after, requests: after.requests - before.requests, ok: 0, notModified, notFound: 0, bytes: 0 } });
      }
      rmSync(big.dir, { recursive: true, force: true });
    } finally {
      await server.close();
    }
  }

  // ------------------------------------------------------------ the table
  const baseRate = spread(rates(baseline.map((m) => m.items ?? 0), baseline.map((m) => m.ms), 1)).median;
  const coldRate = spread(rates(cold.map((m) => m.items ?? 0), cold.map((m) => m.ms), 1)).median;
  const ratio = coldRate / baseRate;
  const rssOf = (xs: Run[]) => xs.map((m) => m.maxRssMB);
  const msOf = (xs: Run[]) => xs.map((m) => m.ms);
  const rows: Row[] = [
    {
      name: 'Baseline: fetch + rss-parser + one merged feed',
      ms: msOf(baseline),
      items: baseline.map((m) => m.items ?? 0),
      bytes: baseline.map((m) => m.served.bytes),
      rssMB: rssOf(baseline),
      target: '(reference)',
      verdict: 'n/a',
    },
    {
      name: '1. Cold full cycle (fetch → normalize → store → publish)',
      ms: msOf(cold),
      items: cold.map((m) => m.items ?? 0),
      bytes: cold.map((m) => m.served.bytes),
      rssMB: rssOf(cold),
      ...rssVerdict(coldVerdict(ratio), Math.max(...rssOf(cold)), TARGETS.coldRssMB),
    },
    {
      name: `2. Warm unchanged cycle (all 304, nothing dirty), ${opts.channels.toLocaleString('en')} channels`,
      ms: msOf(warm),
      rssMB: rssOf(warm),
      // The steady state of a daemon whose sources did not change: its memory is this cycle's.
      ...rssVerdict(warmAtScale.length ? { target: '(time: see 2b)', verdict: 'PASS' } : warmVerdict(spread(msOf(warm)).median, opts.channels), Math.max(...rssOf(warm)), TARGETS.warmRssMB),
    },
    ...(warmAtScale.length
      ? [
          {
            name: `2b. Warm unchanged cycle, ${opts.warmChannels.toLocaleString('en')} channels`,
            ms: msOf(warmAtScale),
            rssMB: rssOf(warmAtScale),
            ...warmVerdict(spread(msOf(warmAtScale)).median, opts.warmChannels),
          },
        ]
      : []),
    {
      name: '3. One new item: a fresh `refeed once --all` process from cron (compiled CLI, spawn to exit: start-up, config, every channel checked, publish)',
      ms: msOf(oneNew),
      bytes: oneNew.map((m) => m.served.bytes),
      rssMB: [],
      ...oneNewVerdict(spread(msOf(oneNew)).median, storeArticles, onlyAffected, oneNewProblem),
    },
    {
      name: '3b. One new item in a running daemon: that channel\'s tick, from its fetch to its feed files written',
      ms: msOf(oneNewLong),
      bytes: oneNewLong.map((m) => m.served.bytes),
      rssMB: rssOf(oneNewLong),
      ...oneNewVerdict(spread(msOf(oneNewLong)).median, storeArticles, !problems.some((p) => p.startsWith('one-new-item (daemon tick)')), undefined, TARGETS.tickMs),
    },
    {
      name: '6. `refeed --help` (fresh process, median of 11)',
      ms: msOf(startup.help),
      rssMB: [],
      ...startupVerdict(spread(msOf(startup.help)).median, spread(msOf(startup.node)).median, TARGETS.helpRatio),
    },
    {
      name: `7. \`refeed status\` on ${opts.channels.toLocaleString('en')} channels (fresh process, median of 11)`,
      ms: msOf(startup.status),
      rssMB: [],
      ...startupVerdict(spread(msOf(startup.status)).median, spread(msOf(startup.node)).median, TARGETS.statusRatio),
    },
    {
      name: `4a. Publish alone, full (${storeArticles.toLocaleString('en')} articles, every feed file missing)`,
      ms: msOf(pubFull),
      items: pubFull.map((m) => m.items ?? 0),
      bytes: pubFull.map((m) => m.bytes ?? 0),
      rssMB: rssOf(pubFull),
      ...publishVerdict(spread(msOf(pubFull)).median, Math.max(...rssOf(pubFull)), storeArticles),
    },
    {
      name: `4b. Publish alone, incremental (one new article, ${storeArticles.toLocaleString('en')}-article store)`,
      ms: msOf(pubIncr),
      items: pubIncr.map((m) => m.items ?? 0),
      bytes: pubIncr.map((m) => m.bytes ?? 0),
      rssMB: rssOf(pubIncr),
      ...publishVerdict(spread(msOf(pubIncr)).median, Math.max(...rssOf(pubIncr)), storeArticles),
    },
    ...parse.rows,
  ];

  const warmMedian = spread(msOf(warm)).median;
  notes.unshift(
    `Cold cycle vs baseline: ${coldRate.toFixed(0)} vs ${baseRate.toFixed(0)} items/s = **${ratio.toFixed(2)}×** (target ≥ 0.7×). ` +
      `The baseline does no sanitizing, no article files, no state and writes one ${config.site.limit}-item feed; refeed writes ${sumBy(cold.slice(-1), (m) => (m.detail.feeds as number) ?? 0)} feeds × 3 formats plus every article.`,
    `Warm unchanged cycle: ${secs(warmMedian)} for ${opts.channels.toLocaleString('en')} channels (${((opts.channels / warmMedian) * 1000).toFixed(0)} channels/s)` +
      (warmAtScale.length
        ? `; ${secs(spread(msOf(warmAtScale)).median)} for ${opts.warmChannels.toLocaleString('en')} channels (row 2b).`
        : opts.channels < 10_000
          ? `; the 10,000-channel target is judged on a linear extrapolation (${secs((warmMedian * 10_000) / opts.channels)}); run without --quick to measure it.`
          : '.'),
    `items/s: items parsed (baseline), stored (cold) or placed in published feeds (publish); MB/s: feed bytes served (fetching rows) or published bytes written (publish rows).`,
    `Peak RSS is process.resourceUsage().maxRSS of the measuring child (one fresh process per run), module loading included.`,
    ...parse.notes,
    `The machine is shared with other workers while this runs: figures are noisy; compare medians, and rerun before trusting a small difference.`,
  );

  const stage = (xs: Run[], key: string) => fmtMs(spread(xs.map((m) => m.detail[key] as number)).median);
  const breakdown = (label: string, xs: Run[]) =>
    `${label}: config ${stage(xs, 'configMs')}, fetch → normalize → store ${stage(xs, 'fetchMs')}, publish ${stage(xs, 'publishMs')}`;
  notes.push(
    `Where the cycle time goes (medians): ${[breakdown('cold', cold), breakdown('warm', warm), ...(warmAtScale.length ? [breakdown(`warm ${opts.warmChannels}`, warmAtScale)] : []), ].join('; ')}.`,
  );

  const report = [
    '# refeed benchmark',
    '',
    ...machineLines(opts, corpusBytes, storeArticles),
    '',
    formatTable(rows),
    '',
    '## Notes',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    '## Checks',
    '',
    ...(problems.length ? problems.map((p) => `- ✗ ${p}`) : ['- ✓ every run did what it should: cold stored every item, warm got only 304s and rewrote nothing, one-new-item and incremental publish rebuilt only the affected feeds, full publish rebuilt every feed.']),
    '',
    ...missedTargets(rows),
    'Run `npm run bench -- --help` for options; `npm run bench -- --profile` profiles the cold cycle.',
    '',
  ].join('\n');
  process.stdout.write(report);
  writeFileSync(path.resolve(opts.out), report);
  say(`results written to ${opts.out}`);
  const failed = rows.some((r) => r.verdict === 'FAIL') || problems.length > 0;
  return failed ? 1 : 0;
}

/**
 * `--engines`: fetch + publish of the corpus against the baseline, then a
 * full publish of the padded store on SQLite and, copied, on PostgreSQL
 * (issue 18's targets: ≤ 1.4× the baseline's time; < 3 s and < 300 MB on
 * SQLite, < 5 s on PostgreSQL).
 */
async function runEngines(ctx: Ctx, corpusBytes: number): Promise<number> {
  const { opts } = ctx;
  const runs = opts.runs;
  const problems: string[] = [];
  const probe = freshSite(ctx, 'probe');
  const config = loadConfig(probe.configFile);
  const msOf = (xs: Run[]) => xs.map((m) => m.ms);
  const rssOf = (xs: Run[]) => xs.map((m) => m.maxRssMB);

  // Alternated: the machine is shared, and each pair sees the same load.
  say(`baseline and cold fetch + publish, alternated ×${runs}…`);
  const baseline: Run[] = [];
  const cold: Run[] = [];
  let site = probe;
  for (let r = 0; r < runs; r++) {
    settleDisk();
    baseline.push(await run(ctx, { kind: 'baseline', urls: ctx.urls, concurrency: config.site.concurrency, limit: config.site.limit, outFile: path.join(ctx.work, 'baseline.xml') }));
    settleDisk();
    if (r > 0) rmSync(site.dir, { recursive: true, force: true });
    site = freshSite(ctx, `cold-${r}`);
    const m = await run(ctx, { kind: 'cycle', configFile: site.configFile });
    if ((m.detail as { newItems: number }).newItems !== opts.channels * opts.items) problems.push(`cold run ${r + 1}: stored ${(m.detail as { newItems: number }).newItems} items`);
    cold.push(m);
    say(`  baseline ${secs(baseline[r].ms)}, fetch + publish ${secs(m.ms)}`);
  }

  const target = Math.max(opts.store, opts.channels * opts.items);
  say(`padding the store to ${target.toLocaleString('en')} articles (untimed setup)…`);
  const pad = await measure({ kind: 'pad', configFile: site.configFile, seed: opts.seed, items: opts.items, channels: opts.channels, target });
  const storeArticles = pad.detail.articles as number;

  const { postgresServer } = await import('../tests/helpers/servers.ts');
  const server = await postgresServer();
  if ('skip' in server) throw new Error(`PostgreSQL: ${server.skip}`);
  const pgSite = path.join(ctx.work, 'postgres');
  mkdirSync(pgSite, { recursive: true });
  const url = server.url;
  const { copyToPostgres } = await import('./copy-to-postgres.ts');
  say('copying the store into PostgreSQL (untimed setup)…');
  const copied = await copyToPostgres(path.join(site.dir, 'state.db'), url);
  const pgConfig = path.join(pgSite, 'refeed.yaml');
  writeFileSync(
    pgConfig,
    readFileSync(site.configFile, 'utf8').replace(/^(\s*)state: .*$/m, `$1state: "${url}"`).replace(/^(\s*)output: .*$/m, `$1output: "${path.join(pgSite, 'output')}"`),
  );

  say(`full publish, SQLite and PostgreSQL alternated ×${runs}…`);
  const lite: Run[] = [];
  const post: Run[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      for (const [into, file] of [[lite, site.configFile], [post, pgConfig]] as const) {
        settleDisk();
        const m = await run(ctx, { kind: 'publish', configFile: file, full: true });
        const d = m.detail as { feeds: number; rebuilt: number; errors: number; skipped: number };
        if (d.rebuilt !== d.feeds || d.errors || d.skipped) problems.push(`full publish (${file === pgConfig ? 'PostgreSQL' : 'SQLite'}) run ${r + 1}: rebuilt ${d.rebuilt}/${d.feeds}, ${d.errors} errors, ${d.skipped} skipped`);
        into.push(m);
        say(`  ${file === pgConfig ? 'PostgreSQL' : 'SQLite'} ${secs(m.ms)}, ${m.maxRssMB.toFixed(0)} MB`);
      }
    }
  } finally {
    await server.stop();
  }

  const baseMs = spread(msOf(baseline)).median;
  const coldMs = spread(msOf(cold)).median;
  const liteMs = spread(msOf(lite)).median;
  const postMs = spread(msOf(post)).median;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const rows: Row[] = [
    { name: 'Baseline: fetch + rss-parser + one merged feed', ms: msOf(baseline), items: baseline.map((m) => m.items ?? 0), bytes: baseline.map((m) => m.served.bytes), rssMB: rssOf(baseline), target: '(reference)', verdict: 'n/a' },
    {
      name: `A. Fetch + publish, ${opts.channels} feeds × ${opts.items} items (cold \`once\`: fetch → normalize → store → publish)`,
      ms: msOf(cold),
      items: cold.map((m) => m.items ?? 0),
      bytes: cold.map((m) => m.served.bytes),
      rssMB: rssOf(cold),
      target: '≤ 1.4× the baseline\'s time',
      verdict: verdict(coldMs <= 1.4 * baseMs),
      note: `${(coldMs / baseMs).toFixed(2)}× the baseline`,
    },
    {
      name: `B. Full publish on SQLite (${storeArticles.toLocaleString('en')} articles, every feed rebuilt)`,
      ms: msOf(lite),
      items: lite.map((m) => m.items ?? 0),
      bytes: lite.map((m) => m.bytes ?? 0),
      rssMB: rssOf(lite),
      target: '< 3 s, peak RSS < 300 MB',
      verdict: verdict(liteMs < 3000 && Math.max(...rssOf(lite)) < 300),
    },
    {
      name: `C. Full publish on PostgreSQL (the same store, copied; the server on this machine)`,
      ms: msOf(post),
      items: post.map((m) => m.items ?? 0),
      bytes: post.map((m) => m.bytes ?? 0),
      rssMB: rssOf(post),
      target: '< 5 s',
      verdict: verdict(postMs < 5000),
      note: `${(postMs / liteMs).toFixed(2)}× SQLite`,
    },
  ];
  const report = [
    '# refeed benchmark: issue 18 rows (`npm run bench -- --engines`)',
    '',
    ...machineLines(opts, corpusBytes, storeArticles),
    '',
    formatTable(rows),
    '',
    `- Where fetch + publish goes (medians): fetch → normalize → store ${fmtMs(spread(cold.map((m) => m.detail.fetchMs as number)).median)}, publish ${fmtMs(spread(cold.map((m) => m.detail.publishMs as number)).median)} (${spread(cold.map((m) => m.detail.articlesEncoded as number)).median} items encoded at publish).`,
    `- Full publish: ${spread(lite.map((m) => m.detail.articlesUsed as number)).median.toLocaleString('en')} distinct articles placed in ${lite[0]?.detail.feeds} feeds × 3 formats.`,
    `- PostgreSQL copy: ${Object.entries(copied).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}.`,
    ...problems.map((p) => `- ✗ ${p}`),
    '',
  ].join('\n');
  process.stdout.write(report);
  mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  writeFileSync(path.resolve(opts.out), report);
  say(`results written to ${opts.out}`);
  return rows.some((r) => r.verdict === 'FAIL') || problems.length ? 1 : 0;
}

/**
 * For failed targets: what bounds each, from the profiles, and the next step.
 * That is analysis, written by hand in bench/analysis.md, dated by the run it
 * was written for: included so results.md says it beside the figures.
 */
function missedTargets(rows: readonly { verdict?: string }[]): string[] {
  if (!rows.some((r) => r.verdict === 'FAIL')) return [];
  let text: string;
  try {
    text = readFileSync(path.join(BENCH_DIR, 'analysis.md'), 'utf8').trim();
  } catch {
    return ['## Targets not reached', '', 'No analysis: profile them (`npm run bench -- --profile`, `node --cpu-prof`) and write bench/analysis.md.', ''];
  }
  return [text.replace(/^# /, '## '), ''];
}

/** `--parse-only`: the parse-throughput rows alone, on the cached corpus; no server, no store. */
async function runParseOnly(opts: BenchOptions, started: number): Promise<number> {
  const corpus = await ensureCorpus(path.join(OUT_DIR, 'corpus'), { ...opts, channels: opts.parseChannels }, Math.max(1, os.cpus().length));
  const parse = await measureParseRows(opts, corpus.dir, say);
  const cpus = os.cpus();
  const report = [
    '# refeed benchmark: parse throughput only (`npm run bench -- --parse-only`)',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
    `- Node ${process.version}; corpus seed ${opts.seed}, ${opts.items} items a feed; ${opts.runs} run${opts.runs > 1 ? 's' : ''} per reader; median (min–max)`,
    '',
    formatTable(parse.rows),
    '',
    ...parse.notes.map((n) => `- ${n}`),
    ...parse.problems.map((p) => `- ✗ ${p}`),
    '',
  ].join('\n');
  process.stdout.write(report);
  mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  writeFileSync(path.resolve(opts.out), report);
  say(`results written to ${opts.out}; done in ${secs(performance.now() - started)}`);
  return parse.rows.some((r) => r.verdict === 'FAIL') || parse.problems.length ? 1 : 0;
}

/** `--full-text-only`: the full-text rows (issue 21) alone: pages served from this process, each way measured in a fresh one. */
async function runFullTextOnly(opts: BenchOptions, started: number): Promise<number> {
  const { startPageServer } = await import('./full-text.ts');
  const server = await startPageServer(opts.pages, Math.min(opts.ports, 8), opts.seed);
  const runs: Record<'refeed' | 'main-thread', Measurement[]> = { refeed: [], 'main-thread': [] };
  const problems: string[] = [];
  try {
    say(`full text ×${opts.runs} (${opts.pages} pages, ${(server.bytes / 1e6).toFixed(1)} MB, refeed and main-thread readability alternated)…`);
    for (let r = 0; r < opts.runs; r++) {
      for (const way of ['refeed', 'main-thread'] as const) {
        const m = await measure({ kind: 'full-text', way, urls: server.urls });
        if (m.items !== opts.pages) problems.push(`full text ${way} run ${r + 1}: extracted ${m.items} of ${opts.pages} pages`);
        say(`  full text ${way} ${r + 1}: ${(m.ms / 1000).toFixed(2)} s, ${m.items} pages`);
        runs[way].push(m);
      }
    }
  } finally {
    await server.close();
  }
  const pagesPerS = (xs: Measurement[]) => spread(rates(xs.map((m) => m.items ?? 0), xs.map((m) => m.ms), 1)).median;
  const ratio = pagesPerS(runs.refeed) / pagesPerS(runs['main-thread']);
  // The worker threads' point: the main thread stays free to fetch, store and serve while pages are read.
  const delay = (xs: Measurement[], k: 'p99Ms' | 'maxMs') => spread(xs.map((m) => (m.detail.loopDelay as { p99Ms: number; maxMs: number })[k])).median;
  const [refeedP99, mainP99] = [delay(runs.refeed, 'p99Ms'), delay(runs['main-thread'], 'p99Ms')];
  const row = (xs: Measurement[]) => ({ ms: xs.map((m) => m.ms), items: xs.map((m) => m.items ?? 0), bytes: xs.map(() => server.bytes), rssMB: xs.map((m) => m.maxRssMB) });
  const rows: Row[] = [
    {
      name: `8. Full text: ${opts.pages} local article pages (${(server.bytes / 1e6).toFixed(1)} MB) fetched under the channel policy (2 a host, ${Math.min(opts.ports, 8)} hosts), extracted + sanitized on worker threads (items/s = pages/s)`,
      ...row(runs.refeed),
      target: "pages/s; the main thread's p99 event-loop delay under half of 8′'s",
      verdict: refeedP99 < mainP99 / 2 ? 'PASS' : 'FAIL',
      note: `${ratio.toFixed(2)}× 8′'s pages/s; p99 event-loop delay ${refeedP99.toFixed(0)} ms vs ${mainP99.toFixed(0)} ms (max ${delay(runs.refeed, 'maxMs').toFixed(0)} vs ${delay(runs['main-thread'], 'maxMs').toFixed(0)} ms)`,
    },
    { name: "8′. The same fetches with readability (linkedom) on the main thread, no sanitizing: the same-run reference for 8", ...row(runs['main-thread']), target: '(reference)', verdict: 'n/a' },
  ];
  const cpus = os.cpus();
  const report = [
    '# refeed benchmark: full text only (`npm run bench -- --full-text-only`)',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
    `- Node ${process.version}; ${opts.runs} run${opts.runs > 1 ? 's' : ''} per way, each in a fresh process, alternated; median (min–max)`,
    '',
    formatTable(rows),
    '',
    `- Pages are generated news pages (navigation, scripts, styles, an article of 8–30 paragraphs with figures, a sidebar, a footer), served from the harness process over loopback; the measuring process's workers are started before the clock (as in a running daemon). Peak RSS is the measuring process's, worker threads included.`,
    ...problems.map((p) => `- ✗ ${p}`),
    '',
  ].join('\n');
  process.stdout.write(report);
  mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  writeFileSync(path.resolve(opts.out), report);
  say(`results written to ${opts.out}; done in ${secs(performance.now() - started)}`);
  return rows.some((r) => r.verdict === 'FAIL') || problems.length ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions | undefined;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const started = performance.now();
  mkdirSync(OUT_DIR, { recursive: true });
  if (opts.parseOnly) return runParseOnly(opts, started);
  if (opts.fullTextOnly) return runFullTextOnly(opts, started);
  say(`corpus: ${opts.channels} channels × ${opts.items} items, seed ${opts.seed}…`);
  const corpus = await ensureCorpus(path.join(OUT_DIR, 'corpus'), opts, Math.max(1, os.cpus().length));
  say(`  ${corpus.generated ? `generated ${corpus.generated} feeds in ${secs(corpus.ms)}` : 'cached'}; ${(corpus.bytes / 1e6).toFixed(1)} MB`);
  const server = await startCorpusServer({ dir: corpus.dir, seed: opts.seed, channels: opts.channels, items: opts.items, ports: opts.ports });
  const work = path.join(OUT_DIR, `work-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const ctx: Ctx = { opts, server, work, urls: Array.from({ length: opts.channels }, (_, i) => server.urlOf(i)), corpusDir: corpus.dir };
  try {
    return opts.profile ? await runProfile(ctx) : opts.engines ? await runEngines(ctx, corpus.bytes) : await runAll(ctx, corpus.bytes);
  } finally {
    await server.close();
    if (opts.keep) say(`work folder kept: ${path.relative(process.cwd(), work)}`);
    else rmSync(work, { recursive: true, force: true });
    say(`done in ${secs(performance.now() - started)}`);
  }
}
