import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { parseArticle } from '../../src/normalize/index.ts';
import { publish } from '../../src/publish/index.ts';
import { runFetch } from '../../src/ingest/index.ts';
import { openStore } from '../../src/store/index.ts';
import { runRefeed, startRefeed } from '../helpers/refeed-process.ts';
import { CHANNELS, corpusConfigYaml, GROUPS, ITEMS, SOURCES, startCorpus, type Corpus } from './corpus.ts';
import { listFiles } from './scan.ts';
import { differences, feedFileProblems, snapshot } from './tree.ts';
import { writeTempConfig } from '../helpers/config-file.ts';

// Issue 5, crash safety: `refeed fetch` and `refeed publish` are killed with
// SIGKILL at random moments while they work on a 40 × 30 corpus. After every
// kill the published feeds must be complete (old or new, never partial), the
// article files readable, the state database intact; and the next
// uninterrupted run must converge to exactly the output of a run that was
// never interrupted.

const KILLS_WANTED = 12;
/** The loop stops at KILLS_WANTED kills or after this long… */
const LOOP_BUDGET_MS = 40_000;
/** …unless a loaded machine has not yet got the minimum below, which it may pursue until this. */
const HARD_CAP_MS = 75_000;
const CHANNEL_COUNT = GROUPS * SOURCES * CHANNELS;

/** How long each command works once it has opened the state database (measured in-process). */
interface Timing {
  fetch: number;
  publish: number;
}

async function runToEnd(args: string[]): Promise<{ code: number | null; ms: number; stderr: string }> {
  const t0 = Date.now();
  const { code, stderr } = await runRefeed(args, { REFEED_LOG_LEVEL: 'warn' });
  return { code, ms: Date.now() - t0, stderr };
}

/** What must hold after any kill. Returns the problems found. */
function afterKillProblems(dir: string): string[] {
  const out = path.join(dir, 'out');
  const problems = feedFileProblems(out);
  for (const rel of listFiles(out).filter((f) => f.startsWith('articles/') && f.endsWith('.md'))) {
    try {
      parseArticle(readFileSync(path.join(out, rel), 'utf8'));
    } catch (err) {
      problems.push(`${rel}: ${(err as Error).message}`);
    }
  }
  const db = new Database(path.join(dir, 'state.db'));
  try {
    const check = db.pragma('integrity_check') as { integrity_check: string }[];
    if (check.length !== 1 || check[0].integrity_check !== 'ok') problems.push(`integrity_check: ${JSON.stringify(check)}`);
    // Files are written before their rows: a row never points at a missing file.
    for (const { path: rel } of db.prepare('SELECT path FROM articles').all() as { path: string }[]) {
      if (!existsSync(path.join(out, rel))) problems.push(`row without file: ${rel}`);
    }
  } finally {
    db.close();
  }
  return problems;
}

function articleTexts(dir: string): string[] {
  const out = path.join(dir, 'out');
  return listFiles(out)
    .filter((f) => f.startsWith('articles/') && f.endsWith('.md'))
    .map((f) => readFileSync(path.join(out, f), 'utf8'));
}

/** The published feed files (everything but articles). */
function feedFiles(dir: string): Map<string, Buffer> {
  const all = snapshot(path.join(dir, 'out'));
  for (const k of [...all.keys()]) if (k.startsWith('articles/')) all.delete(k);
  return all;
}

describe('crash safety: SIGKILL during fetch and publish', () => {
  let corpus: Corpus;
  let dir: string;
  let config: string;
  let timing: Timing;

  beforeAll(async () => {
    corpus = await startCorpus();
    config = writeTempConfig(corpusConfigYaml(corpus.server.url), 'refeed-crash-');
    dir = path.dirname(config);
    tempDirs.push(dir);
  });

  const tempDirs: string[] = [];

  afterAll(async () => {
    await corpus?.close();
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });

  it('an uninterrupted first run publishes the corpus', async () => {
    const cfg = loadConfig(config);
    const state = await openStore(cfg.site.state);
    try {
      let t0 = Date.now();
      const reports = await runFetch(cfg, state, { logger: silentLogger });
      const fetchMs = Date.now() - t0;
      expect(reports.filter((r) => r.status !== 'new')).toEqual([]);
      t0 = Date.now();
      expect((await publish(cfg, state, { logger: silentLogger })).errors).toEqual([]);
      timing = { fetch: fetchMs, publish: Date.now() - t0 };
    } finally {
      await state.close();
    }
    expect(listFiles(path.join(dir, 'out')).filter((f) => f.endsWith('.md'))).toHaveLength(CHANNEL_COUNT * ITEMS);
    expect(afterKillProblems(dir)).toEqual([]);
  }, 30_000);

  it(`survives up to ${KILLS_WANTED} kills at random moments, each leaving complete feeds, articles and an intact database`, async () => {
    const kills = { fetch: 0, publish: 0, missed: 0 };
    // Kills that provably hit in the middle of the work: a fetch that had
    // rewritten some articles but not all, a publish that had replaced some
    // feed files but not yet recorded them as published.
    const midWork = { fetch: 0, publish: 0 };
    const log: string[] = [];
    const wal = path.join(dir, 'state.db-wal');
    const started = Date.now();
    const minimum = () => kills.fetch >= 2 && kills.publish >= 2 && midWork.fetch >= 1 && midWork.publish >= 1;
    const goOn = () => {
      const elapsed = Date.now() - started;
      return kills.fetch + kills.publish < KILLS_WANTED && (elapsed < LOOP_BUDGET_MS || (!minimum() && elapsed < HARD_CAP_MS));
    };
    for (let round = 0; goOn(); round++) {
      const command = round % 2 === 0 ? 'fetch' : 'publish';
      // Every other publish is --full: it re-renders every feed whatever is
      // dirty, so it works long enough to be hit even after a fetch that was
      // killed before storing much.
      const args = command === 'publish' && round % 4 === 3 ? [command, '--full'] : [command];
      if (command === 'fetch') corpus.version++;
      // The database is closed between runs, so its WAL file is gone; the
      // command's start-up (tsx, modules, config) is over when it reappears.
      expect(existsSync(wal)).toBe(false);
      const feedsBefore = command === 'publish' ? feedFiles(dir) : undefined;
      const t0 = Date.now();
      const before = corpus.requests();
      const p = startRefeed([...args, '--config', config], { REFEED_LOG_LEVEL: 'warn' });
      while (!existsSync(wal) && p.child.exitCode === null && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 2));
      const opened = Date.now();
      const delay = Math.random() * timing[command];
      await new Promise((r) => setTimeout(r, delay));
      const killed = p.child.kill('SIGKILL');
      const { signal } = await p.exited;
      const at = `${args.join(' ')} killed ${Math.round(delay)} ms into its work (${Date.now() - t0} ms after spawn, ${signal ?? 'had exited'}, ${corpus.requests() - before} upstream requests)`;
      log.push(at);
      if (killed && signal === 'SIGKILL') kills[command]++;
      else {
        kills.missed++;
        // It finished sooner than measured: aim earlier from now on. Learnt
        // only from runs that had all the work to do: every fetch (each round
        // changes the corpus) and `publish --full`.
        if (command === 'fetch' || args.includes('--full')) timing[command] = Math.max(100, Math.min(timing[command], 0.8 * (Date.now() - opened)));
      }
      expect(afterKillProblems(dir), at).toEqual([]);
      if (signal === 'SIGKILL' && command === 'fetch') {
        const current = articleTexts(dir).filter((t) => t.includes(`version ${corpus.version}.`)).length;
        if (current > 0 && current < CHANNEL_COUNT * ITEMS) midWork.fetch++;
        log.push(`  ${current} articles at the new version`);
      }
      if (signal === 'SIGKILL' && command === 'publish') {
        const replaced = differences(feedsBefore!, feedFiles(dir)).length;
        const db = new Database(path.join(dir, 'state.db'));
        const dirty = (db.prepare('SELECT count(*) AS n FROM dirty_feeds').get() as { n: number }).n;
        db.close();
        if (replaced > 0 && dirty > 0) midWork.publish++;
        log.push(`  ${replaced} feed files replaced, ${dirty} feeds still dirty`);
      }
    }
    // Both commands were really killed mid-way, several times each (about
    // KILLS_WANTED / 2 each normally; fewer rounds fit on a loaded machine).
    expect(kills.fetch, log.join('\n')).toBeGreaterThanOrEqual(2);
    expect(kills.publish, log.join('\n')).toBeGreaterThanOrEqual(2);
    expect(midWork.fetch, log.join('\n')).toBeGreaterThanOrEqual(1);
    expect(midWork.publish, log.join('\n')).toBeGreaterThanOrEqual(1);
  }, 100_000);

  it('the next runs complete and converge to exactly what an uninterrupted run writes', async () => {
    corpus.version++;
    const fetched = await runToEnd(['fetch', '--config', config]);
    expect(fetched.code, fetched.stderr).toBe(0);
    const published = await runToEnd(['publish', '--config', config]);
    expect(published.code, published.stderr).toBe(0);
    expect(afterKillProblems(dir)).toEqual([]);

    // The reference: the same corpus version, fetched and published once, never interrupted.
    const refDir = mkdtempSync(path.join(os.tmpdir(), 'refeed-crash-ref-'));
    tempDirs.push(refDir);
    writeFileSync(path.join(refDir, 'refeed.yaml'), corpusConfigYaml(corpus.server.url));
    const refConfig = loadConfig(path.join(refDir, 'refeed.yaml'));
    const state = await openStore(refConfig.site.state);
    try {
      const reports = await runFetch(refConfig, state, { logger: silentLogger });
      expect(reports.filter((r) => r.status !== 'new')).toEqual([]);
      expect((await publish(refConfig, state, { logger: silentLogger })).errors).toEqual([]);
    } finally {
      await state.close();
    }
    // index.html says when it was last updated: the runs compared happened at different times.
    const untimed = (files: Map<string, Buffer>) => {
      const page = files.get('index.html');
      if (page) files.set('index.html', Buffer.from(page.toString('utf8').replace(/<p class="updated">.*?<\/p>/, '')));
      return files;
    };
    const got = untimed(snapshot(path.join(dir, 'out')));
    const want = untimed(snapshot(refConfig.site.output));
    // Articles, three files per feed, and index.html, index.opml, categories.opml.
    expect(want.size).toBe(CHANNEL_COUNT * ITEMS + 3 * (1 + GROUPS + GROUPS * SOURCES + CHANNEL_COUNT) + 3);
    expect(differences(got, want)).toEqual([]);
    // A kill between writing a temp file and renaming it leaves the temp file
    // behind; the next run takes the killed one's lock over and removes its
    // temp files (their names carry its pid), however young.
    const leftovers = listFiles(path.join(dir, 'out')).filter((f) => path.basename(f).startsWith('.tmp-'));
    expect(leftovers).toEqual([]);
  }, 40_000);
});
