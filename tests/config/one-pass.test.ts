import { afterEach, describe, expect, it, vi } from 'vitest';
import { addChannel, ConfigError, EditError, parseConfig } from '../../src/config/index.ts';
import { validateCommand } from '../../src/cli/commands/validate.ts';
import { main } from '../../src/cli/main.ts';
import { cronProblem, cronWalker } from '../../src/util/cron.ts';
import { closest, editDistance } from '../../src/util/suggest.ts';
import { runCommand } from '../editors/run-command.ts';
import { writeTempConfig } from '../helpers/config-file.ts';
import { thrownBy } from '../helpers/thrown.ts';

// Issue 15: every problem of a file in one pass, each with its line, and a
// reason or a suggestion wherever refeed can give one.

const EIGHT_MISTAKES = `site:
  ouptut: feeds
  fallback_image: none
defaults:
  schedule: "*/61 * * * *"
  timeout: soon
groups:
  - name: Tech
    sources:
      - name: Hacker News
        exclude: "(unclosed"
        channels:
          - name: Front
            url: https://hnrss.org/frontpage
            schedule: "0 0 31 2 *"
          - name: Again
            url: https://HNRSS.org/frontpage
          - name: Bad
            url: not-a-url
            shedule: "@daily"
      - name: hacker-news
        channels: []
`;

const line = (needle: string) => EIGHT_MISTAKES.split('\n').findIndex((l) => l.includes(needle)) + 1;

const workCopy = (text: string) => writeTempConfig(text, 'refeed-onepass-');

describe('validate: one pass', () => {
  it('reports schema, cron, regex and duplicate problems together with their lines, and slug collisions beside them', () => {
    const error = thrownBy(ConfigError, () => parseConfig(EIGHT_MISTAKES, '/tmp/x/refeed.yaml', {}), 'the config to be rejected');
    expect(error.problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [line('ouptut'), 'site.ouptut', 'unknown key "ouptut" (did you mean "output"?)'],
      [line('*/61'), 'defaults.schedule', 'invalid cron expression "*/61 * * * *": "*/61": the minute step must be 1 to 59'],
      [line('timeout: soon'), 'defaults.timeout', 'must be a duration like 500ms, 20s, 5m, 1h, 7d'],
      [line('(unclosed'), 'groups[0].sources[0].exclude', 'must be an RE2 regular expression: missing closing ): `(unclosed`'],
      [line('31 2'), 'groups[0].sources[0].channels[0].schedule', 'invalid cron expression "0 0 31 2 *": never fires: February has no day 31'],
      [line('HNRSS'), 'groups[0].sources[0].channels[1].url', 'duplicate URL, already at groups[0].sources[0].channels[0]'],
      [line('not-a-url'), 'groups[0].sources[0].channels[2].url', 'must be an absolute http(s) URL'],
      [line('shedule'), 'groups[0].sources[0].channels[2].shedule', 'unknown key "shedule" (did you mean "schedule"?)'],
    ]);
    expect(error.warnings.map((w) => [w.line, w.path])).toEqual([[line('name: hacker-news'), 'groups[0].sources[1].name']]);
  });

  it('refeed validate prints them all, in file order, and exits 2', async () => {
    const file = workCopy(EIGHT_MISTAKES);
    const r = await runCommand(validateCommand, ['-c', file]);
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe(`${file}:${line('ouptut')}: site.ouptut: unknown key "ouptut" (did you mean "output"?)`);
    expect(lines[8]).toBe(`${file}:${line('name: hacker-news')}: warning: groups[0].sources[1].name: "hacker-news" would collide with "Hacker News" on slug "hacker-news"; using "hacker-news-2"`);
    expect(lines[9]).toBe(`8 problems in ${file}, 1 warning`);
    const json = JSON.parse((await runCommand(validateCommand, ['-c', file, '--json'])).stdout);
    expect(json).toMatchObject({ ok: false, problems: { length: 8 }, warnings: { length: 1 } });
  });

  it('sources add applies the same cron rules', () => {
    const text = 'groups: []\n';
    for (const [schedule, why] of [
      ['0 0 31 2 *', /never fires: February has no day 31/],
      ['*/61 * * * *', /minute step must be 1 to 59/],
      ['every day', /not a cron expression/],
    ] as const) {
      try {
        addChannel(text, '/tmp/x/refeed.yaml', { group: 'G', source: 'S', channel: 'C', url: 'https://a.example/feed', schedule });
        throw new Error(`${schedule} was accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(EditError);
        expect((e as Error).message).toMatch(why);
      }
    }
  });
});

describe('cron expressions', () => {
  it('accepts 5- and 6-field schedules and refuses out-of-range steps and dates that never come', () => {
    for (const ok of ['*/30 * * * *', '*/5 * * * * *', '0 9 * * MON-FRI', '0 0 29 2 *', '0 0 L * *', '@daily', '0 0 1 */12 *']) expect(cronProblem(ok), ok).toBeUndefined();
    expect(cronProblem('*/61 * * * *')).toBe('"*/61": the minute step must be 1 to 59');
    expect(cronProblem('0 */24 * * *')).toBe('"*/24": the hour step must be 1 to 23');
    expect(cronProblem('*/0 * * * * *')).toMatch(/second/);
    expect(cronProblem('0 0 30,31 2 *')).toBe('never fires: February has no day 30 or 31');
    expect(cronProblem('61 * * * *')).toBe('"61" is not a valid minute (0-59)');
  });

  it('walks to the next firing strictly after a time, for 5- and 6-field schedules', () => {
    const next = cronWalker();
    const at = (iso: string) => Date.parse(iso);
    expect(next('0 0 1 1 *', at('2024-01-01T00:00:00Z'))).toBe(at('2025-01-01T00:00:00Z'));
    expect(next('0 0 1 1 *', at('2023-12-31T23:59:59Z'))).toBe(at('2024-01-01T00:00:00Z'));
    expect(next('*/30 * * * *', at('2024-05-01T10:00:03Z'))).toBe(at('2024-05-01T10:30:00Z'));
    expect(next('*/10 * * * * *', at('2024-05-01T10:00:03Z'))).toBe(at('2024-05-01T10:00:10Z'));
    expect(next('0 0 31 2 *', 0)).toBeUndefined();
  });
});

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit, and suggests only what is close', () => {
    expect(editDistance('ouptut', 'output')).toBe(1);
    expect(closest('ouptut', ['title', 'output', 'url'])).toBe('output');
    expect(closest('jsno', ['json', 'config'])).toBe('json');
    expect(closest('frobnicate', ['json', 'config'])).toBeUndefined();
  });

  afterEach(() => vi.restoreAllMocks());

  it('wraps parseArgs errors: an unknown option names the one meant, a missing value says so', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['status', '--jsno'])).toBe(64);
    expect(err.join('')).toMatch(/^refeed status: unknown option --jsno \(did you mean --json\?\)\n/);
    err.length = 0;
    expect(await main(['status', '--config'])).toBe(64);
    expect(err.join('')).toMatch(/^refeed status: --config needs a value\n/);
    err.length = 0;
    expect(await main(['stauts'])).toBe(64);
    expect(err.join('')).toMatch(/^refeed: unknown command "stauts" \(did you mean "status"\?\)/);
  });
});
