import { mkdtempSync, readFileSync, statSync, writeFileSync, cpSync, chmodSync, symlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addChannel, addChannels, EditError, parseConfig, removeChannels, slugify, type ChannelEntry } from '../../src/config/index.ts';
import { sourcesCommand } from '../../src/cli/commands/sources.ts';
import { runCommand } from './run-command.ts';
import { commitConfig } from '../../src/cli/config-file.ts';
import { thrownBy } from '../helpers/thrown.ts';

const FIXTURE = path.join(import.meta.dirname, '../fixtures/editors/commented.yaml');
const original = readFileSync(FIXTURE, 'utf8');
const FILE = '/tmp/refeed-test/refeed.yaml';

/** The text with `inserted` placed right after the first line containing `afterLine`. */
function insertAfter(text: string, afterLine: string, inserted: string): string {
  const at = text.indexOf('\n', text.indexOf(afterLine)) + 1;
  expect(at).toBeGreaterThan(0);
  return text.slice(0, at) + inserted + text.slice(at);
}

function without(text: string, removed: string): string {
  expect(text).toContain(removed);
  return text.replace(removed, '');
}

const refusal = (fn: () => unknown) => thrownBy(EditError, fn, 'the edit to be refused');

const hnBest: ChannelEntry = { group: 'Tech', source: 'Hacker News', channel: 'Best', url: 'https://hnrss.org/best', schedule: '*/5 * * * *' };

describe('add: only the new lines change', () => {
  it('appends a channel to an existing source, every other byte kept', () => {
    const r = addChannel(original, FILE, hnBest);
    const expected = insertAfter(
      original,
      'url: https://hnrss.org/ask    # rarely useful',
      '          - name: Best\n            url: https://hnrss.org/best\n            schedule: "*/5 * * * *"\n',
    );
    expect(r.text).toBe(expected);
    expect(r.changes).toEqual(['added channel Best to Tech / Hacker News (https://hnrss.org/best)']);
    const ch = parseConfig(r.text, FILE).channels.find((c) => c.url === 'https://hnrss.org/best')!;
    expect(ch.key).toBe('tech/hacker-news/best');
    expect(ch.settings.schedule).toBe('*/5 * * * *');
  });

  it('creates a missing source at the end of the group', () => {
    const r = addChannel(original, FILE, { group: 'tech', source: 'Ars Technica', channel: 'All', url: 'https://feeds.arstechnica.com/arstechnica/index' });
    expect(r.text).toBe(
      insertAfter(
        original,
        'max_age: 30d',
        '      - name: Ars Technica\n        channels:\n          - name: All\n            url: https://feeds.arstechnica.com/arstechnica/index\n',
      ),
    );
    // "tech" matched the existing group "Tech" by slug rather than creating a twin.
    expect(parseConfig(r.text, FILE).groups.map((g) => g.name)).toEqual(['新媒体', 'Tech']);
  });

  it('creates a missing group, keeping the blank line the file puts between groups', () => {
    const r = addChannel(original, FILE, {
      group: '新闻',
      source: 'BBC 中文',
      channel: '首页',
      url: 'https://feeds.bbci.co.uk/zhongwen/simp/rss.xml',
      groupSlug: 'news',
      slug: 'home',
    });
    expect(r.text).toBe(
      insertAfter(
        original,
        'max_age: 30d',
        '\n  - name: 新闻\n    slug: news\n    sources:\n      - name: BBC 中文\n        channels:\n          - name: 首页\n            slug: home\n            url: https://feeds.bbci.co.uk/zhongwen/simp/rss.xml\n',
      ),
    );
    expect(r.text.endsWith('# trailing comment at the end of the file\n')).toBe(true);
    expect(parseConfig(r.text, FILE).channels.at(-1)!.key).toBe(`news/${slugify('BBC 中文')}/home`);
  });

  it('add then remove gives back the original file byte for byte', () => {
    const cases: ChannelEntry[] = [
      hnBest,
      { group: 'Tech', source: 'New Source', channel: 'Only', url: 'https://example.net/only.xml' },
      { group: 'Brand new', source: 'S', channel: 'C', url: 'https://example.net/c.xml' },
      { group: '新媒体', source: '人人都是产品经理', channel: '热门', url: 'https://www.woshipm.com/hot/feed' },
    ];
    for (const entry of cases) {
      const added = addChannel(original, FILE, entry).text;
      expect(added).not.toBe(original);
      const back =
        entry.group === 'Brand new' ? removeChannels(added, FILE, { group: 'Brand new' }).text : removeChannels(added, FILE, { url: entry.url }).text;
      expect(back).toBe(original);
    }
  });

  it("keeps an item's commented-out keys with it, on add and on remove", () => {
    const text = [
      'groups:',
      '  - name: A',
      '    sources:',
      '      - name: S',
      '        channels:',
      '          - name: one',
      '            url: https://a.example/1',
      '            # max_age: 30d   (try later)',
      '          # - name: retired',
      '',
    ].join('\n');
    const added = addChannel(text, FILE, { group: 'A', source: 'S', channel: 'two', url: 'https://a.example/2' }).text;
    expect(added).toBe(text.replace('(try later)\n', '(try later)\n          - name: two\n            url: https://a.example/2\n'));
    const removed = removeChannels(added, FILE, { url: 'https://a.example/1' }).text;
    expect(removed).toBe(
      'groups:\n  - name: A\n    sources:\n      - name: S\n        channels:\n          - name: two\n            url: https://a.example/2\n          # - name: retired\n',
    );
  });

  it('keeps CRLF line endings and the indentation style of the file', () => {
    const text = [
      'groups:',
      '- name: A',
      '  sources:',
      '  - name: S',
      '    channels:',
      '    - name: one',
      '      url: https://a.example/1',
      '',
    ].join('\r\n');
    const r = addChannel(text, FILE, { group: 'A', source: 'S', channel: 'two', url: 'https://a.example/2' });
    expect(r.text).toBe(text + '    - name: two\r\n      url: https://a.example/2\r\n');
    const g = addChannel(text, FILE, { group: 'B', source: 'T', channel: 'x', url: 'https://b.example/x' });
    // Sequences not indented under their key, as in the file.
    expect(g.text).toBe(text + '- name: B\r\n  sources:\r\n  - name: T\r\n    channels:\r\n    - name: x\r\n      url: https://b.example/x\r\n');
  });

  it('edits flow-style lists in place and turns `[]` into a block list', () => {
    const flow = 'groups:\n  - name: A  # flow below\n    sources: [{name: S, channels: [{name: one, url: "https://a.example/1"}]}]\n';
    const r = addChannel(flow, FILE, { group: 'A', source: 'S', channel: 'two', url: 'https://a.example/2' });
    expect(r.text).toBe(
      'groups:\n  - name: A  # flow below\n    sources: [{name: S, channels: [ { name: one, url: "https://a.example/1" }, { name: two, url: https://a.example/2 } ]}]\n',
    );
    expect(r.warnings).toEqual([]);
    const empty = '# nothing yet\ngroups: []   # fill me\n';
    const e = addChannel(empty, FILE, { group: 'G', source: 'S', channel: 'C', url: 'https://a.example/c' });
    expect(e.text).toBe('# nothing yet\ngroups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n          - name: C\n            url: https://a.example/c\n');
  });

  it('adds to a file with no groups key, or only comments, or no final newline', () => {
    expect(addChannel('# just a comment\n', FILE, { group: 'G', source: 'S', channel: 'C', url: 'https://a.example/c' }).text).toBe(
      '# just a comment\ngroups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n          - name: C\n            url: https://a.example/c\n',
    );
    expect(addChannel('site:\n  title: x', FILE, { group: 'G', source: 'S', channel: 'C', url: 'https://a.example/c' }).text).toBe(
      'site:\n  title: x\ngroups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n          - name: C\n            url: https://a.example/c\n',
    );
  });

  it('re-renders (and says so) a layout it cannot splice, losing no entry or comment', () => {
    const odd = 'groups:\n  -\n    name: A   # dash alone\n    sources:\n      - name: S\n        channels:\n          - {name: one, url: "https://a.example/1"}\n';
    const r = addChannel(odd, FILE, { group: 'B', source: 'T', channel: 'C', url: 'https://b.example/' });
    expect(r.warnings).toEqual(['this file layout could not be edited line by line; it was re-rendered (comments kept, spacing normalized)']);
    expect(r.text).toContain('# dash alone');
    expect(parseConfig(r.text, FILE).channels.map((c) => c.url)).toEqual(['https://a.example/1', 'https://b.example/']);
    // Where the edit point itself is ordinary, the odd item elsewhere does not matter.
    const inner = addChannel(odd, FILE, { group: 'A', source: 'S', channel: 'two', url: 'https://a.example/2' });
    expect(inner.warnings).toEqual([]);
    expect(inner.text).toBe(odd + '          - name: two\n            url: https://a.example/2\n');
  });

  it('adds many entries (an import) spliced one after another', () => {
    const r = addChannels(original, FILE, [
      hnBest,
      { group: 'Tech', source: 'Hacker News', channel: 'Front page dup', url: 'https://hnrss.org/frontpage' },
      { group: 'Tech', source: 'Hacker News', channel: 'Bad', url: 'feed://nope' },
      { group: 'Imported', source: 'A', channel: 'A', url: 'https://a.example/feed' },
    ]);
    expect(r.added.map((e) => e.channel)).toEqual(['Best', 'A']);
    expect(r.skipped.map((s) => s.entry.channel)).toEqual(['Front page dup', 'Bad']);
    expect(r.skipped[0].reason).toMatch(/already configured as Tech \/ Hacker News \/ Front page/);
    expect(r.skipped[1].reason).toMatch(/invalid URL "feed:\/\/nope"/);
    const c = parseConfig(r.text, FILE);
    expect(c.channels.map((x) => x.key)).toEqual([
      'xinmeiti/woshipm/latest',
      'tech/hacker-news/front-page',
      'tech/hacker-news/ask-hn',
      'tech/hacker-news/best',
      'tech/lwn-net/headlines',
      'imported/a/a',
    ]);
    // Every original line is still there, in order.
    const lines = r.text.split('\n');
    let at = 0;
    for (const l of original.split('\n')) {
      at = lines.indexOf(l, at);
      expect(at).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('add: refusals', () => {
  it('refuses a URL configured anywhere, also written differently', () => {
    for (const url of ['https://hnrss.org/frontpage', 'https://HNRSS.org:443/frontpage']) {
      const e = refusal(() => addChannel(original, FILE, { group: 'Other', source: 'X', channel: 'Y', url }));
      expect(e.code).toBe('duplicate');
      expect(e.message).toBe(`${url} is already configured as Tech / Hacker News / Front page (groups[1].sources[0].channels[0], line 32)`);
    }
  });

  it('refuses a channel name already used in that source (by name or slug)', () => {
    for (const channel of ['Ask HN', 'ask hn']) {
      const e = refusal(() => addChannel(original, FILE, { ...hnBest, channel }));
      expect(e.code).toBe('duplicate');
      expect(e.message).toBe('source "Hacker News" in group "Tech" already has a channel "Ask HN"');
    }
  });

  it('refuses invalid values with a message naming them', () => {
    const cases: [Partial<ChannelEntry>, RegExp][] = [
      [{ url: 'not a url' }, /^invalid URL "not a url": must be an absolute http\(s\) URL$/],
      [{ url: 'ftp://example.org/feed' }, /^invalid URL "ftp:\/\/example.org\/feed"/],
      [{ schedule: 'every minute' }, /^invalid schedule "every minute": not a cron expression/],
      [{ schedule: '61 * * * *' }, /^invalid schedule "61 \* \* \* \*"/],
      [{ slug: 'Bad Slug' }, /^invalid slug "Bad Slug"/],
      [{ slug: 'articles' }, /^invalid slug "articles"/],
      [{ channel: '  ' }, /^the channel name must not be empty$/],
    ];
    for (const [patch, message] of cases) {
      const e = refusal(() => addChannel(original, FILE, { ...hnBest, ...patch }));
      expect(e.code).toBe('invalid');
      expect(e.message).toMatch(message);
    }
  });

  it('refuses to edit a configuration that is already invalid', () => {
    const broken = original.replace('max_age: 30d', 'max_age: soon');
    const e = refusal(() => addChannel(broken, FILE, hnBest));
    expect(e.code).toBe('bad-config');
    expect(e.problems).toEqual([{ path: 'groups[1].sources[1].channels[0].max_age', line: 39, message: 'must be a duration like 500ms, 20s, 5m, 1h, 7d' }]);
  });
});

describe('remove', () => {
  it('removes a channel by URL with its attached comment line', () => {
    const r = removeChannels(original, FILE, { url: 'https://hnrss.org/frontpage' });
    expect(r.text).toBe(without(original, '          # front page only, no comments\n          - name: Front page\n            url: https://hnrss.org/frontpage\n'));
    expect(r.changes).toEqual(['removed channel Front page (https://hnrss.org/frontpage) from Tech / Hacker News']);
  });

  it('removes a source with its last channel, or keeps it empty with keepEmptySource', () => {
    const lwn = '      - name: LWN.net\n        channels:\n          - name: Headlines\n            url: https://lwn.net/headlines/rss\n            max_age: 30d\n';
    const r = removeChannels(original, FILE, { group: 'Tech', source: 'LWN.net', channel: 'Headlines' });
    expect(r.text).toBe(without(original, lwn));
    expect(r.changes[1]).toBe('removed source LWN.net from Tech: it had no other channel');
    const kept = removeChannels(original, FILE, { url: 'https://lwn.net/headlines/rss' }, { keepEmptySource: true });
    expect(kept.text).toBe(original.replace(lwn, '      - name: LWN.net\n        channels: []\n'));
    expect(parseConfig(kept.text, FILE).groups[1].sources[1].channels).toEqual([]);
  });

  it('removes a whole group with its heading comment and the blank line after it', () => {
    const r = removeChannels(original, FILE, { group: 'xinmeiti' });
    expect(r.text).toBe(
      without(
        original,
        '  # ---- Chinese media ----\n  - name: 新媒体\n    slug: xinmeiti\n    sources:\n      - name: 人人都是产品经理\n        slug: woshipm\n        channels:\n          - name: 最新文章        # the main feed\n            slug: latest\n            url: https://www.woshipm.com/feed\n\n',
      ),
    );
    expect(r.changes).toEqual(['removed group 新媒体 (1 source, 1 channel)']);
  });

  it('leaves an emptied group in place with sources: []', () => {
    const one = removeChannels(original, FILE, { group: 'Tech', source: 'LWN.net' }).text;
    const none = removeChannels(one, FILE, { group: 'Tech', source: 'Hacker News' }).text;
    expect(none).toContain('  - name: Tech\n    schedule: "0 * * * *"\n    sources: []\n# trailing comment at the end of the file\n');
    expect(parseConfig(none, FILE).groups.map((g) => [g.name, g.sources.length])).toEqual([
      ['新媒体', 1],
      ['Tech', 0],
    ]);
  });

  it('says what exists when the target does not', () => {
    expect(refusal(() => removeChannels(original, FILE, { url: 'https://nowhere.example/' })).message).toBe('no channel has the URL https://nowhere.example/');
    expect(refusal(() => removeChannels(original, FILE, { group: 'Nope' })).message).toBe('no group "Nope" (groups: "新媒体", "Tech")');
    expect(refusal(() => removeChannels(original, FILE, { group: 'Tech', source: 'HN' })).message).toBe(
      'no source "HN" in group "Tech" (sources: "Hacker News", "LWN.net")',
    );
    expect(refusal(() => removeChannels(original, FILE, { group: 'Tech', source: 'Hacker News', channel: 'Show' })).code).toBe('not-found');
  });
});

describe('refeed sources add/remove (files)', () => {
  function workCopy(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'refeed-edit-'));
    const file = path.join(dir, 'refeed.yaml');
    cpSync(FIXTURE, file);
    return file;
  }

  it('writes the edit atomically, keeping the file mode', async () => {
    const file = workCopy();
    chmodSync(file, 0o640);
    // --no-check: this is about the write; the feed check has its own tests (sources-check.test.ts).
    const r = await runCommand(sourcesCommand, ['add', '--no-check', '-c', file, '--group', 'Tech', '--source', 'Hacker News', '--channel', 'Best', 'https://hnrss.org/best']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe(`added channel Best to Tech / Hacker News (https://hnrss.org/best)\nwrote ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(
      insertAfter(original, 'url: https://hnrss.org/ask    # rarely useful', '          - name: Best\n            url: https://hnrss.org/best\n'),
    );
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const rm = await runCommand(sourcesCommand, ['remove', '-c', file, 'https://hnrss.org/best']);
    expect(rm.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('refuses duplicates and invalid values with exit 1, the file untouched', async () => {
    const file = workCopy();
    const before = statSync(file).mtimeMs;
    const runs = [
      [['--group', 'X', '--source', 'Y', '--channel', 'Z', 'https://lwn.net/headlines/rss'], /already configured as Tech \/ LWN.net \/ Headlines/],
      [['--group', 'Tech', '--source', 'Hacker News', '--channel', 'Ask HN', 'https://hnrss.org/x'], /already has a channel "Ask HN"/],
      [['--group', 'X', '--source', 'Y', '--channel', 'Z', 'example.org/feed'], /invalid URL "example.org\/feed"/],
      [['--group', 'X', '--source', 'Y', '--channel', 'Z', '--schedule', '* * *', 'https://x.example/'], /invalid schedule "\* \* \*"/],
    ] as const;
    for (const [args, message] of runs) {
      const r = await runCommand(sourcesCommand, ['add', '-c', file, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(`${file} not changed`);
    }
    const nf = await runCommand(sourcesCommand, ['remove', '-c', file, '--group', 'Tech', '--source', 'Nope']);
    expect(nf.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('exits 2 on an invalid configuration and 64 on missing arguments', async () => {
    const file = workCopy();
    writeFileSync(file, original.replace('url: https://hnrss.org/ask', 'url: hnrss.org/ask'));
    const bad = await runCommand(sourcesCommand, ['add', '-c', file, '--group', 'T', '--source', 'S', '--channel', 'C', 'https://c.example/']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('line 34 groups[1].sources[0].channels[1].url: must be an absolute http(s) URL');
    const usage = await runCommand(sourcesCommand, ['add', '-c', file, '--group', 'T', 'https://c.example/']);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/missing --source, --channel/);
    const both = await runCommand(sourcesCommand, ['remove', '-c', file, '--group', 'T', 'https://c.example/']);
    expect(both.code).toBe(64);
  });

  it('never overwrites a change made since the file was read, and keeps a symlinked config a symlink', () => {
    const file = workCopy();
    writeFileSync(file, original + '# edited meanwhile\n');
    expect(() => commitConfig(file, original, 'groups: []\n')).toThrow(/changed while it was being edited; nothing written/);
    expect(readFileSync(file, 'utf8')).toBe(original + '# edited meanwhile\n');
    const link = path.join(path.dirname(file), 'link.yaml');
    symlinkSync(file, link);
    commitConfig(link, original + '# edited meanwhile\n', original);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('--dry-run reports and writes nothing', async () => {
    const file = workCopy();
    const r = await runCommand(sourcesCommand, ['remove', '--dry-run', '-c', file, '--group', 'Tech']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('would have removed group Tech (2 sources, 3 channels)');
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});
