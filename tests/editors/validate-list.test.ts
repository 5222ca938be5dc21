import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { openStore } from '../../src/store/index.ts';
import { validateCommand } from '../../src/cli/commands/validate.ts';
import { sourcesCommand } from '../../src/cli/commands/sources.ts';
import { displayWidth, formatTable } from '../../src/cli/text-table.ts';
import { runCommand } from './run-command.ts';
import { writeTempConfig } from '../helpers/config-file.ts';

const FIXTURE = path.join(import.meta.dirname, '../fixtures/editors/commented.yaml');

/** The fixture (or `text`) as a config file in a fresh folder. */
const workCopy = (text = readFileSync(FIXTURE, 'utf8')) => writeTempConfig(text, 'refeed-val-');

describe('refeed validate', () => {
  it('prints every problem as file:line: path: message and exits 2', async () => {
    const text = readFileSync(FIXTURE, 'utf8')
      .replace("schedule: '*/30 * * * *'", "shedule: '*/30 * * * *'")
      .replace('url: https://hnrss.org/ask', 'url: hnrss.org/ask')
      .replace('max_age: 30d', 'max_age: soon');
    const file = workCopy(text);
    const r = await runCommand(validateCommand, ['-c', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      [
        `${file}:9: defaults.shedule: unknown key "shedule" (did you mean "schedule"?)`,
        `${file}:34: groups[1].sources[0].channels[1].url: must be an absolute http(s) URL`,
        `${file}:39: groups[1].sources[1].channels[0].max_age: must be a duration like 500ms, 20s, 5m, 1h, 7d`,
        `3 problems in ${file}`,
        '',
      ].join('\n'),
    );
  });

  it('reports YAML syntax errors and bad cron expressions with their lines', async () => {
    const file = workCopy('groups:\n  - name: A\n    schedule: "not cron"\n    sources: []\n');
    const r = await runCommand(validateCommand, ['-c', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${file}:3: groups[0].schedule: invalid cron expression "not cron": not a cron expression`);
    const syntax = workCopy('groups:\n  - name: A\n   bad: [\n');
    const s = await runCommand(validateCommand, ['-c', syntax]);
    expect(s.code).toBe(2);
    expect(s.stdout).toMatch(new RegExp(`^${syntax.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
  });

  it('a missing file is a problem too (exit 2)', async () => {
    const r = await runCommand(validateCommand, ['-c', '/nonexistent/refeed.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^\/nonexistent\/refeed\.yaml: cannot read: ENOENT/);
  });

  it('summarizes a valid file with counts and slug warnings, exit 0', async () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('      - name: LWN.net\n', '      - name: Hacker-News\n').replace('            max_age: 30d\n', '            max_age: 30d\n            enabled: false\n');
    const file = workCopy(text);
    const r = await runCommand(validateCommand, ['-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${file}:35: warning: groups[1].sources[1].name: "Hacker-News" would collide with "Hacker News" on slug "hacker-news"; using "hacker-news-2"\n` +
        `${file}: OK — 2 groups, 3 sources, 4 channels (1 disabled), 1 warning\n`,
    );
    const json = await runCommand(validateCommand, ['-c', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, problems: [], counts: { groups: 2, sources: 3, channels: 4, enabled: 3 } });
  });

  it('uses $REFEED_CONFIG when no --config is given', async () => {
    const file = workCopy();
    const r = await runCommand(validateCommand, [], { REFEED_CONFIG: file });
    expect(r.stdout).toBe(`${file}: OK — 2 groups, 3 sources, 4 channels\n`);
  });
});

describe('refeed sources list', () => {
  it('shows "never fetched" without a state database, and does not create one', async () => {
    const file = workCopy();
    const state = loadConfig(file).site.state;
    const r = await runCommand(sourcesCommand, ['list', '-c', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['GROUP', 'SOURCE', 'CHANNEL', 'FEED', 'URL', 'SCHEDULE', 'HEALTH']);
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).every((l) => l.endsWith('never fetched'))).toBe(true);
    expect(lines[1].split(/\s{2,}/)).toEqual(['新媒体', '人人都是产品经理', '最新文章', '/xinmeiti/woshipm/latest/', 'https://www.woshipm.com/feed', '*/30 * * * *', 'never fetched']);
    // Tech's own schedule is inherited by its channels.
    expect(lines[2].split(/\s{2,}/)[5]).toBe('0 * * * *');
    expect(existsSync(state)).toBe(false);
  });

  it('shows health from the state database: ok, failing, disabled, never fetched', async () => {
    const file = workCopy(readFileSync(FIXTURE, 'utf8').replace('            max_age: 30d\n', '            max_age: 30d\n            enabled: false\n'));
    const config = loadConfig(file);
    const db = await openStore(config.site.state);
    const now = Date.now();
    await db.ensureChannel('xinmeiti/woshipm/latest', 'https://www.woshipm.com/feed', now);
    await db.recordSuccess('xinmeiti/woshipm/latest', { now: now - 2 * 3_600_000, status: 'updated', movedTo: 'https://www.woshipm.com/feed/' });
    await db.ensureChannel('tech/hacker-news/front-page', 'https://hnrss.org/frontpage', now);
    await db.recordSuccess('tech/hacker-news/front-page', { now: now - 3 * 86_400_000, status: 'new' });
    await db.recordFailure('tech/hacker-news/front-page', { now: now - 60_000, error: 'http-status: 503' });
    await db.recordFailure('tech/hacker-news/front-page', { now, error: 'http-status: 503' });
    await db.ensureChannel('tech/hacker-news/ask-hn', 'https://hnrss.org/ask', now);
    await db.recordFailure('tech/hacker-news/ask-hn', { now, error: 'gone: 410', disable: true });
    await db.close();

    const r = await runCommand(sourcesCommand, ['-c', file]);
    expect(r.code).toBe(0);
    const health = r.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s{2,}/).slice(6).join('  '));
    expect(health).toEqual([
      'ok, updated (last ok 2h ago), moved to https://www.woshipm.com/feed/',
      'failing ×2 (last ok 3d ago): http-status: 503',
      'disabled after 1 failure (never succeeded): gone: 410',
      'off (enabled: false)',
    ]);

    const json = await runCommand(sourcesCommand, ['list', '--json', '-c', file, '--group', 'tech']);
    const rows = JSON.parse(json.stdout);
    expect(rows.map((x: { key: string }) => x.key)).toEqual(['tech/hacker-news/front-page', 'tech/hacker-news/ask-hn', 'tech/lwn-net/headlines']);
    expect(rows[0]).toMatchObject({
      group: 'Tech',
      source: 'Hacker News',
      channel: 'Front page',
      url: 'https://hnrss.org/frontpage',
      schedule: '0 * * * *',
      enabled: true,
      health: { status: 'failing', lastStatus: 'error', consecutiveFailures: 2, lastError: 'http-status: 503', disabled: false },
    });
    expect(Date.parse(rows[0].health.lastSuccessAt)).toBe(now - 3 * 86_400_000);
    expect(rows[1].health).toMatchObject({ status: 'disabled', disabled: true });
    expect(rows[2].health.status).toBe('off');
  });

  it('shows no credentials: not in URLs, redirect targets or errors, as text or JSON', async () => {
    const file = workCopy(readFileSync(FIXTURE, 'utf8').replace('https://hnrss.org/ask', 'https://user:pw@hnrss.org/ask?api_key=SECRET1'));
    const config = loadConfig(file);
    const db = await openStore(config.site.state);
    const now = Date.now();
    await db.ensureChannel('tech/hacker-news/ask-hn', 'https://user:pw@hnrss.org/ask?api_key=SECRET1', now);
    await db.recordFailure('tech/hacker-news/ask-hn', { now, error: 'http-status: 500 from https://hnrss.org/ask?api_key=SECRET1' });
    await db.ensureChannel('tech/hacker-news/front-page', 'https://hnrss.org/frontpage', now);
    await db.recordSuccess('tech/hacker-news/front-page', { now, status: 'new', movedTo: 'https://hnrss.org/frontpage?token=SECRET2' });
    await db.close();

    const text = await runCommand(sourcesCommand, ['list', '-c', file]);
    const json = await runCommand(sourcesCommand, ['list', '--json', '-c', file]);
    for (const out of [text.stdout, json.stdout]) {
      expect(out).not.toMatch(/SECRET1|SECRET2|user:pw/);
      expect(out).toContain('hnrss.org/ask?api_key=…');
      expect(out).toContain('hnrss.org/frontpage?token=…');
    }
  });

  it('an unknown group or subcommand is reported', async () => {
    const file = workCopy();
    const g = await runCommand(sourcesCommand, ['list', '-c', file, '--group', 'Sports']);
    expect(g.code).toBe(1);
    expect(g.stderr).toBe('refeed sources list: no group "Sports" (groups: "新媒体", "Tech")\n');
    const s = await runCommand(sourcesCommand, ['frobnicate', '-c', file]);
    expect(s.code).toBe(64);
    expect(s.stderr).toMatch(/unknown subcommand "frobnicate"/);
  });

  it('aligns columns by display width, CJK counting two cells', () => {
    expect(displayWidth('新媒体')).toBe(6);
    expect(displayWidth('Tech')).toBe(4);
    const t = formatTable(['A', 'B'], [['新媒体', 'x'], ['Tech', 'y']]).split('\n');
    expect(t).toEqual(['A       B', '新媒体  x', 'Tech    y']);
  });
});
