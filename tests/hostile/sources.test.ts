import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { RefeedConfig } from '../../src/core/types.ts';
import { parseArticle } from '../../src/normalize/index.ts';
import { publish } from '../../src/publish/index.ts';
import { runFetch, type ChannelReport } from '../../src/ingest/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { GOOD_KEY, writeHostileConfig } from './config.ts';
import { differences, feedFileProblems, snapshot } from './tree.ts';
import { CASES, caseKey, CHARSET_TITLE, INVALID_UTF8_TITLES, startHostileUpstream, type HostileCase, type HostileUpstream } from './upstream.ts';

// Issue 5, hostile sources: one configuration with a good channel and one
// channel per hostile case, run twice over the same store — first while every
// upstream behaves (the seed), then while each misbehaves in its own way —
// once in-process through runFetch/publish and once through the real CLI.
// Every failing channel must say precisely what went wrong (report, state
// store, logs, `refeed status --json`), the run must carry on for the others,
// and what was stored and published before must be left exactly as it was.

const SEED_NOW = Date.UTC(2024, 4, 1);
const HOSTILE_NOW = Date.UTC(2024, 5, 1);

const failing = CASES.filter((c) => c.error);
const coping = CASES.filter((c) => !c.error);
/** Cases with something stored by the seed run (DNS can never be reached). */
const seeded = CASES.filter((c) => c.name !== 'dns');

interface Run {
  config: RefeedConfig;
  state: () => SqliteStore;
  seedTree: Map<string, Buffer>;
  /** Fetch passes the seeding took (the DNS channel failed in each). */
  seedPasses: number;
}

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

const channelDir = (c: Pick<HostileCase, 'source' | 'name'>) => `hostile/${c.source}/${c.name}/`;

function articlesOf(run: Run, key: string): { itemKey: string; title: string; link: string | null; date: number; text: string }[] {
  const rows = run
    .state()
    .db.prepare(
      `SELECT a.identity AS itemKey, a.title, a.link, a.date, a.path FROM entries e JOIN channels ch ON ch.id = e.channel_id JOIN articles a ON a.id = e.article_id
       WHERE ch.key = ? ORDER BY a.date, a.identity`,
    )
    .all(key) as {
    itemKey: string;
    title: string;
    link: string | null;
    date: number;
    path: string;
  }[];
  return rows.map((r) => ({ ...r, text: readFileSync(path.join(run.config.site.output, r.path), 'utf8') }));
}

/** The checks both runs (in-process and CLI) must pass after the hostile pass. */
function expectEarlierWorkIntact(run: Run) {
  const now = snapshot(run.config.site.output);
  // Every article file the seed run wrote is still there, byte for byte.
  const seedArticles = [...run.seedTree.keys()].filter((k) => k.startsWith('articles/'));
  expect(seedArticles.length).toBe(seeded.length + 1);
  const changedArticles = differences(new Map(seedArticles.map((k) => [k, run.seedTree.get(k)!])), new Map(seedArticles.map((k) => [k, now.get(k)!])));
  expect(changedArticles).toEqual([]);
  // A failing channel's own feeds are exactly what was published before.
  for (const c of failing.filter((x) => x.name !== 'dns')) {
    for (const f of ['rss.xml', 'atom.xml', 'feed.json']) {
      const rel = `${channelDir(c)}${f}`;
      expect(now.get(rel)?.equals(run.seedTree.get(rel)!), `${rel} unchanged`).toBe(true);
    }
  }
  // Every feed file is complete, and every channel's feeds still hold the seed item.
  expect(feedFileProblems(run.config.site.output)).toEqual([]);
  for (const c of seeded) {
    for (const f of ['rss.xml', 'atom.xml', 'feed.json']) {
      expect(now.get(`${channelDir(c)}${f}`)!.toString(), `${c.name} ${f}`).toContain(`https://seed.example/${c.name}`);
    }
  }
  // The run went on: the good channel's new item reached the merged feeds.
  for (const f of ['rss.xml', 'atom.xml', 'feed.json']) {
    expect(now.get(f)!.toString()).toContain('https://good.example/2');
    expect(now.get(f)!.toString()).toContain('https://good.example/1');
  }
}

async function expectStateRecordsErrors(state: SqliteStore, expectedFailures: (c: HostileCase) => number) {
  for (const c of failing) {
    const st = (await state.channelState(caseKey(c)))!;
    expect(st.lastStatus, c.name).toBe('error');
    const [code, ...rest] = st.lastError!.split(': ');
    expect(code, c.name).toBe(c.error!.code);
    expect(rest.join(': '), c.name).toMatch(c.error!.message);
    expect(st.consecutiveFailures, c.name).toBe(expectedFailures(c));
    expect(st.disabled, c.name).toBe(c.name === 'gone');
  }
  for (const c of coping) {
    const st = (await state.channelState(caseKey(c)))!;
    expect(st.lastError, c.name).toBeUndefined();
    expect(st.lastStatus, c.name).toBe('new');
    // A feed read only after repairs is a success with a warning saying what was repaired.
    if (c.recovered) expect(st.lastWarning?.replace(/^recovered: /, ''), c.name).toMatch(c.recovered);
    else expect(st.lastWarning, c.name).toBeUndefined();
  }
}

describe('hostile sources', () => {
  let up: HostileUpstream;
  let inProc: Run;
  let viaCli: Run;
  let stateA: SqliteStore | undefined;
  let stateB: SqliteStore | undefined;

  beforeAll(async () => {
    up = await startHostileUpstream();
    const fileA = writeHostileConfig(up, 'refeed-hostile-a-');
    const fileB = writeHostileConfig(up, 'refeed-hostile-b-');
    const configA = loadConfig(fileA);
    const configB = loadConfig(fileB);
    inProc = { config: configA, state: () => (stateA ??= new SqliteStore(configA.site.state)), seedTree: new Map(), seedPasses: 0 };
    viaCli = { config: configB, state: () => (stateB ??= new SqliteStore(configB.site.state)), seedTree: new Map(), seedPasses: 0 };
  });

  afterAll(async () => {
    await stateA?.close();
    await stateB?.close();
    await up?.close();
    for (const run of [inProc, viaCli]) if (run) rmSync(path.dirname(run.config.file), { recursive: true, force: true });
  });

  it('seed: every reachable channel stores and publishes its first item (in-process and CLI)', async () => {
    up.mode = 'seed';
    // Seeding is set-up, not the test: a channel with a 1 s timeout that a
    // loaded machine could not serve in time is simply fetched again.
    const dns = caseKey({ source: 'http', name: 'dns' });
    let pending = new Set([GOOD_KEY, ...seeded.map(caseKey)]);
    for (let attempt = 0; pending.size && attempt < 3; attempt++) {
      inProc.seedPasses++;
      const reports = await runFetch(inProc.config, inProc.state(), { logger: silentLogger, now: () => SEED_NOW });
      for (const r of reports) if (r.status === 'new' && r.newItems === 1) pending.delete(r.key);
    }
    expect([...pending]).toEqual([]);
    expect((await inProc.state().channelState(dns))?.lastError).toMatch(/^dns: /);
    expect((await publish(inProc.config, inProc.state(), { logger: silentLogger })).errors).toEqual([]);

    pending = new Set([GOOD_KEY, ...seeded.map(caseKey)]);
    for (let attempt = 0; pending.size && attempt < 3; attempt++) {
      viaCli.seedPasses++;
      const fetched = await runRefeed(['fetch', '--config', viaCli.config.file]);
      expect(fetched.code, fetched.stderr).toBe(0);
      for (const line of fetched.stdout.split('\n')) {
        const m = /^(\S+)\s+new\s+new 1,/.exec(line);
        if (m) pending.delete(m[1]);
      }
    }
    expect([...pending]).toEqual([]);
    const published = await runRefeed(['publish', '--config', viaCli.config.file]);
    expect(published.code, published.stderr).toBe(0);

    inProc.seedTree = snapshot(inProc.config.site.output);
    viaCli.seedTree = snapshot(viaCli.config.site.output);
    expect(feedFileProblems(inProc.config.site.output)).toEqual([]);
    // From now on the `refused` case's port refuses connections.
    await up.refuse();
    up.mode = 'hostile';
  }, 60_000);

  describe('in-process (runFetch + publish)', () => {
    let reports: Map<string, ChannelReport>;
    let lines: Record<string, unknown>[];
    let ms: number;

    beforeAll(async () => {
      const mem = memoryLogger();
      lines = mem.lines;
      const t0 = Date.now();
      const list = await runFetch(inProc.config, inProc.state(), { logger: mem.logger, now: () => HOSTILE_NOW });
      ms = Date.now() - t0;
      reports = new Map(list.map((r) => [r.key, r]));
      const pub = await publish(inProc.config, inProc.state(), { logger: mem.logger });
      expect(pub.errors).toEqual([]);
      expect(pub.skipped).toEqual([]);
    }, 30_000);

    it('reports each hostile channel with its own error code and message, within the timeouts', () => {
      expect(reports.size).toBe(CASES.length + 1);
      for (const c of failing) {
        const r = reports.get(caseKey(c))!;
        expect(r.status, c.name).toBe('error');
        expect(r.error?.code, c.name).toBe(c.error!.code);
        expect(r.error?.message, c.name).toMatch(c.error!.message);
      }
      expect(reports.get(caseKey({ source: 'markup', name: 'html-alternate' }))!.error!.alternates).toEqual([`${up.url}/feeds/real.xml`]);
      expect(reports.get(caseKey({ source: 'http', name: 'rate-limited' }))!.error!.retryAfterSec).toBe(3600);
      // The hanging servers cost their own 1 s timeout, concurrently; nothing waits on the 20 s default.
      expect(ms).toBeLessThan(19_000);
    });

    it('carries on for every other channel, saying what it repaired to read a broken feed', () => {
      expect(reports.get(GOOD_KEY)).toMatchObject({ status: 'new', newItems: 1 });
      for (const c of coping) {
        const r = reports.get(caseKey(c))!;
        expect(r.status, c.name).toBe('new');
        if (c.recovered) {
          expect(r.warnings, c.name).toHaveLength(1);
          expect(r.warnings![0], c.name).toMatch(c.recovered);
          const line = lines.find((l) => l.channel === caseKey(c) && l.code === 'recovered');
          expect(line?.level, c.name).toBe(40);
        } else expect(r.warnings, c.name).toBeUndefined();
      }
    });

    it('records each error in the state store, and honours 410 and Retry-After', async () => {
      const state = inProc.state();
      await expectStateRecordsErrors(state, (c) => (c.name === 'dns' ? inProc.seedPasses + 1 : 1));
      const limited = (await state.channelState(caseKey({ source: 'http', name: 'rate-limited' })))!;
      expect(limited.nextRunAt).toBe(HOSTILE_NOW + 3600_000);
      const timedOut = (await state.channelState(caseKey({ source: 'transport', name: 'silent' })))!;
      expect(timedOut.nextRunAt).toBe(HOSTILE_NOW + 60_000);
    });

    it('logs each failure on its channel', () => {
      for (const c of failing) {
        const line = lines.find((l) => l.channel === caseKey(c) && l.level === 40);
        expect(line, c.name).toBeDefined();
        if (c.name === 'gone') expect(line!.msg).toMatch(/source is gone \(410\): channel disabled/);
        else {
          expect(line!.code, c.name).toBe(c.error!.code);
          expect(String(line!.msg).replace(/^fetch failed: /, ''), c.name).toMatch(c.error!.message);
        }
      }
    });

    it('leaves everything stored and published earlier intact', () => {
      expectEarlierWorkIntact(inProc);
    });

    it('reads mislabelled charsets right', () => {
      const title = (name: string) => articlesOf(inProc, caseKey({ source: 'charset', name })).find((a) => a.itemKey === name)!;
      expect(title('utf8-labelled-latin1').title).toBe(CHARSET_TITLE);
      expect(title('bom-vs-declaration').title).toBe(CHARSET_TITLE);
      expect(title('gbk-labelled-utf8').title).toBe('产业互联网需要被正名：中文标题与正文内容');
      expect(title('gbk-labelled-utf8').text).toContain('<p>产业互联网需要被正名：中文标题与正文内容</p>');
    });

    it('reads a misspelt end tag and a truncated feed, keeping every complete item', () => {
      const stored = (name: string) =>
        articlesOf(inProc, caseKey({ source: 'markup', name }))
          .filter((a) => !a.itemKey.startsWith('seed-'))
          .map((a) => ({ title: a.title, link: a.link }));
      expect(stored('malformed')).toEqual([{ title: 'Mismatched tags', link: 'https://malformed.example/1' }]);
      expect(stored('truncated')).toEqual([{ title: 'Complete item', link: 'https://truncated.example/1' }]);
    });

    it('keeps UTF-8 text readable around a stray invalid byte (a replacement character, not mojibake)', () => {
      const titles = articlesOf(inProc, caseKey({ source: 'charset', name: 'invalid-utf8' }))
        .filter((a) => a.itemKey.startsWith('invalid-utf8-'))
        .sort((a, b) => a.itemKey.localeCompare(b.itemKey))
        .map((a) => a.title);
      expect(titles).toEqual([`${INVALID_UTF8_TITLES[0]}\uFFFD`, INVALID_UTF8_TITLES[1], INVALID_UTF8_TITLES[2]]);
    });

    it('stores odd items sensibly', () => {
      const items = (name: string) => articlesOf(inProc, caseKey({ source: 'items', name })).filter((a) => !a.itemKey.startsWith('seed-'));
      const noTitle = items('no-title');
      expect(noTitle.map((a) => a.title).sort()).toEqual(["The first words of an untitled item's body become its title.", 'https://items.example/no-title/2']);

      const [noLink] = items('no-link');
      expect(noLink).toMatchObject({ itemKey: 'no-link-guid-1', title: 'An item without a link', link: null });
      expect(parseArticle(noLink.text).link).toBeUndefined();

      const noGuid = items('no-guid');
      expect(noGuid).toHaveLength(3);
      expect(noGuid.map((a) => a.itemKey)).toContain('https://items.example/no-guid/1');
      expect(noGuid.filter((a) => a.itemKey.startsWith('hash:'))).toHaveLength(2);
      // The item with nothing but a body is dated when first seen and titled from its body.
      expect(noGuid.find((a) => a.title.startsWith('Nothing but a body'))!.date).toBe(HOSTILE_NOW);

      expect(items('no-date')[0].date).toBe(HOSTILE_NOW);

      const dates = Object.fromEntries(items('odd-dates').map((a) => [a.itemKey, new Date(a.date).toISOString()]));
      expect(dates).toEqual({
        'odd-cjk': '2024-04-02T08:30:00.000Z',
        'odd-yy': '2024-04-03T02:00:00.000Z',
        'odd-epoch': '2024-04-05T00:00:00.000Z',
        'odd-us': '2024-04-06T20:00:00.000Z',
        'odd-date-only': '2024-04-07T00:00:00.000Z',
        'odd-zone': '2024-04-08T14:15:00.000Z',
        // Unreadable dates fall back to when the item was first seen.
        'odd-garbage': new Date(HOSTILE_NOW).toISOString(),
        'odd-31feb': new Date(HOSTILE_NOW).toISOString(),
      });

      // A date in the year 2100 is not believed: the item is dated when first seen.
      expect(items('future-date')[0].date).toBe(HOSTILE_NOW);

      const dups = items('dup-guids');
      expect(dups.map((a) => [a.itemKey, a.title])).toEqual([
        ['dup-guid', 'First with this guid'],
        ['other-guid', 'A third, distinct item'],
      ]);

      // 10,000 items: the channel's `limit` (50) of them, in feed order.
      const many = items('many-items');
      expect(many).toHaveLength(50);
      expect(new Set(many.map((a) => a.itemKey))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `many-${i}`)));

      const [huge] = items('huge-title');
      expect(huge.title.startsWith('A huge title. A huge title.')).toBe(true);
      expect(parseArticle(huge.text).title).toBe(huge.title);
    });
  });

  describe('through the CLI (refeed fetch, publish, status)', () => {
    let fetched: Awaited<ReturnType<typeof runRefeed>>;
    let status: { key: string; status: string; lastError: string | null; lastWarning: string | null; consecutiveFailures: number; disabled: boolean; items: number }[];

    beforeAll(async () => {
      fetched = await runRefeed(['fetch', '--config', viaCli.config.file]);
      const published = await runRefeed(['publish', '--config', viaCli.config.file]);
      expect(published.code, published.stderr).toBe(0);
      const st = await runRefeed(['status', '--config', viaCli.config.file, '--json']);
      expect(st.code, st.stderr).toBe(0);
      status = JSON.parse(st.stdout);
    }, 60_000);

    it('survives every hostile channel: exit 0, one line per channel with its error', () => {
      expect(fetched.code, fetched.stderr.slice(-3000)).toBe(0);
      const lines = fetched.stdout.trim().split('\n');
      expect(lines.at(-1)).toMatch(new RegExp(`^${CASES.length + 1} channels, ${failing.length} failed, \\d+ new items$`));
      for (const c of failing) {
        const line = lines.find((l) => l.startsWith(`${caseKey(c)} `))!;
        expect(line, c.name).toMatch(/\s+error\s+/);
        const [, rest] = line.split(/\s+error\s+/);
        expect(rest.startsWith(`${c.error!.code}: `), line).toBe(true);
        expect(rest.slice(c.error!.code.length + 2), c.name).toMatch(c.error!.message);
      }
      expect(lines.find((l) => l.startsWith(`${GOOD_KEY} `))).toMatch(/\s+new\s+new 1,/);
    });

    it('logs JSON lines on stderr, one warning per failed channel', () => {
      const raw = fetched.stderr.trim().split('\n');
      expect(raw.filter((l) => !l.startsWith('{')), 'stderr lines that are not JSON log lines').toEqual([]);
      const logs = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const c of failing) {
        const line = logs.find((l) => l.channel === caseKey(c) && l.level === 40);
        expect(line, c.name).toBeDefined();
        if (c.name !== 'gone') expect(String(line!.msg).replace(/^fetch failed: /, ''), c.name).toMatch(c.error!.message);
      }
    });

    it('shows each error in refeed status --json and in the state store', async () => {
      for (const c of failing) {
        const row = status.find((r) => r.key === caseKey(c))!;
        expect(row.status, c.name).toBe(c.name === 'gone' ? 'gone' : 'error');
        expect(row.lastError?.startsWith(`${c.error!.code}: `), c.name).toBe(true);
        expect(row.lastError!.slice(c.error!.code.length + 2), c.name).toMatch(c.error!.message);
        expect(row.disabled).toBe(c.name === 'gone');
        // What the seed run stored is still counted.
        expect(row.items, c.name).toBe(c.name === 'dns' ? 0 : 1);
      }
      expect(status.find((r) => r.key === GOOD_KEY)).toMatchObject({ status: 'new', lastError: null, lastWarning: null, consecutiveFailures: 0, items: 2 });
      for (const c of coping.filter((x) => x.recovered)) {
        expect(status.find((r) => r.key === caseKey(c))!.lastWarning, c.name).toMatch(new RegExp(`^recovered: ${c.recovered!.source.replace(/^\^/, '')}`));
      }
      await expectStateRecordsErrors(viaCli.state(), (c) => (c.name === 'dns' ? viaCli.seedPasses + 1 : 1));
    });

    it('leaves everything stored and published earlier intact', () => {
      expectEarlierWorkIntact(viaCli);
    });
  });
});
