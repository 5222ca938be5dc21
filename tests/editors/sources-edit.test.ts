import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { sourcesCommand } from '../../src/cli/commands/sources.ts';
import {
  addRule,
  EditError,
  legacySlugify,
  listRules,
  moveChannel,
  parseConfig,
  readValue,
  removeRule,
  renameEntry,
  setEnabled,
  setSetting,
  unsetSetting,
} from '../../src/config/index.ts';
import { SqliteStore } from '../../src/store/sqlite/store.ts';
import { thrownBy } from '../helpers/thrown.ts';
import { runCommand } from './run-command.ts';

// Every edit of `refeed sources` beyond add/remove: each compared as the
// whole file text, so a comment, a blank line or a quote lost anywhere else
// fails the test.

const FIXTURE = path.join(import.meta.dirname, '../fixtures/editors/commented.yaml');
const original = readFileSync(FIXTURE, 'utf8');
const FILE = '/tmp/refeed-test/refeed.yaml';

/** `text` with the one occurrence of `from` replaced by `to`. */
function swap(text: string, from: string, to: string): string {
  expect(text.split(from).length - 1, `"${from}" occurs once`).toBe(1);
  return text.replace(from, to);
}

const keys = (text: string) => parseConfig(text, FILE, {}).channels.map((c) => `${c.key} ${c.url}`);
const refusal = (fn: () => unknown) => thrownBy(EditError, fn, 'the edit to be refused');

describe('rename', () => {
  it('a group: the name changes, its slug is pinned so feed URLs and stored keys stay', () => {
    const r = renameEntry(original, FILE, { group: 'Tech' }, 'Technology');
    expect(r.text).toBe(swap(original, '  - name: Tech\n', '  - name: Technology\n    slug: tech\n'));
    expect(keys(r.text)).toEqual(keys(original));
    expect(r.changes).toEqual(['renamed group "Tech" to "Technology"', 'kept its slug "tech" (written as slug: tech): its feed URLs and stored history stay where they are']);
  });

  it('a channel by URL, keeping the comment on its name line and its explicit slug', () => {
    const r = renameEntry(original, FILE, { url: 'https://www.woshipm.com/feed' }, 'Latest');
    expect(r.text).toBe(swap(original, '- name: 最新文章        # the main feed', '- name: Latest        # the main feed'));
    expect(keys(r.text)).toEqual(keys(original));
  });

  it('a source whose new name gives the same slug needs no pin', () => {
    const r = renameEntry(original, FILE, { group: 'Tech', source: 'LWN.net' }, 'LWN net');
    expect(r.text).toBe(swap(original, '- name: LWN.net\n', '- name: LWN net\n'));
    expect(keys(r.text)).toEqual(keys(original));
  });

  it('--move-feeds lets the slug follow the name, --slug sets one: the keys move (the next run carries history over)', () => {
    const moved = renameEntry(original, FILE, { group: 'Tech' }, 'Technology', { moveFeeds: true });
    expect(moved.text).toBe(swap(original, '  - name: Tech\n', '  - name: Technology\n'));
    expect(keys(moved.text)).toContain('technology/hacker-news/front-page https://hnrss.org/frontpage');
    expect(moved.changes[1]).toMatch(/from the slug "tech" to "technology".*redirect \(301\)/);
    const slugged = renameEntry(original, FILE, { group: 'Tech', source: 'Hacker News', channel: 'Ask HN' }, 'Ask', { slug: 'ask' });
    expect(slugged.text).toBe(swap(original, '          - name: Ask HN\n', '          - name: Ask\n            slug: ask\n'));
    // An explicit slug removed by --move-feeds.
    const unpinned = renameEntry(original, FILE, { group: 'xinmeiti' }, 'New media', { moveFeeds: true });
    expect(unpinned.text).toBe(swap(original, '  - name: 新媒体\n    slug: xinmeiti\n', '  - name: New media\n'));
  });

  it('keeps a slug the state pins (a legacy slug) rather than the one the plan derives', () => {
    const r = renameEntry(original, FILE, { group: 'Tech' }, 'Technology', { kept: [{ path: 'groups[1]', name: 'Tech', slug: 'tech-old', readable: 'tech' }] });
    expect(r.text).toBe(swap(original, '  - name: Tech\n', '  - name: Technology\n    slug: tech-old\n'));
  });

  it('refuses a name a sibling has, an empty name, a bad slug, and an unknown target', () => {
    expect(refusal(() => renameEntry(original, FILE, { group: 'Tech', source: 'LWN.net' }, 'Hacker News')).message).toBe('there is already a source named "Hacker News" beside it');
    expect(refusal(() => renameEntry(original, FILE, { group: 'Tech' }, '  ')).code).toBe('invalid');
    expect(refusal(() => renameEntry(original, FILE, { group: 'Tech' }, 'T', { slug: 'Not A Slug' })).message).toMatch(/invalid slug/);
    expect(refusal(() => renameEntry(original, FILE, { url: 'https://nope.example/' }, 'X')).message).toBe('no channel has the URL https://nope.example/');
  });
});

describe('move', () => {
  it('carries the channel lines and the comment above them to the other source', () => {
    const r = moveChannel(original, FILE, { url: 'https://hnrss.org/frontpage' }, { group: 'Tech', source: 'LWN.net' });
    const block = '          # front page only, no comments\n          - name: Front page\n            url: https://hnrss.org/frontpage\n';
    expect(r.text).toBe(swap(swap(original, block, ''), '            max_age: 30d\n', `            max_age: 30d\n${block}`));
    expect(keys(r.text)).toContain('tech/lwn-net/front-page https://hnrss.org/frontpage');
    expect(r.warnings).toEqual([]);
  });

  it('across groups, re-indented, with its comments; the emptied source goes, --keep-empty keeps it; a changed inherited setting is named', () => {
    const r = moveChannel(original, FILE, { group: 'xinmeiti', source: 'woshipm', channel: 'latest' }, { group: 'tech', source: 'lwn.net' });
    const src = '    sources:\n      - name: 人人都是产品经理\n        slug: woshipm\n        channels:\n          - name: 最新文章        # the main feed\n            slug: latest\n            url: https://www.woshipm.com/feed\n';
    const moved = '          - name: 最新文章        # the main feed\n            slug: latest\n            url: https://www.woshipm.com/feed\n';
    expect(r.text).toBe(swap(swap(original, src, '    sources: []\n'), '            max_age: 30d\n', `            max_age: 30d\n${moved}`));
    expect(r.changes[1]).toBe('removed source 人人都是产品经理 from 新媒体: it had no other channel');
    expect(r.warnings).toEqual(['the channel\'s schedule changes with the move: it inherits it from its new group and source']);
    const kept = moveChannel(original, FILE, { url: 'https://www.woshipm.com/feed' }, { group: 'Tech', source: 'LWN.net' }, { keepEmptySource: true });
    expect(kept.text).toContain('        slug: woshipm\n        channels: []\n');
  });

  it('refuses a missing destination unless --create, a name clash, and a move to where it is', () => {
    expect(refusal(() => moveChannel(original, FILE, { url: 'https://hnrss.org/ask' }, { group: 'Q', source: 'A' })).message).toBe(
      'no group "Q" (groups: "新媒体", "Tech"); add --create to create it',
    );
    expect(refusal(() => moveChannel(original, FILE, { url: 'https://hnrss.org/ask' }, { group: 'Tech', source: 'Slashdot' })).message).toMatch(/no source "Slashdot".*--create/);
    const created = moveChannel(original, FILE, { url: 'https://hnrss.org/ask' }, { group: 'Tech', source: 'Slashdot' }, { create: true });
    expect(keys(created.text)).toContain('tech/slashdot/ask-hn https://hnrss.org/ask');
    expect(created.text).toBe(
      swap(
        swap(original, '          - name: Ask HN\n            url: https://hnrss.org/ask    # rarely useful\n', ''),
        '            max_age: 30d\n',
        '            max_age: 30d\n      - name: Slashdot\n        channels:\n          - name: Ask HN\n            url: https://hnrss.org/ask    # rarely useful\n',
      ),
    );
    expect(created.changes.slice(0, 2)).toEqual(['created source Slashdot in group Tech', 'moved channel Tech / Hacker News / Ask HN (https://hnrss.org/ask) to Tech / Slashdot: the next run carries its stored history over; its old feed URLs redirect (301) to the new ones']);
    const group = moveChannel(original, FILE, { url: 'https://hnrss.org/frontpage' }, { group: 'Q', source: 'A' }, { create: true });
    expect(group.text).toBe(
      swap(
        swap(original, '          # front page only, no comments\n          - name: Front page\n            url: https://hnrss.org/frontpage\n', ''),
        '            max_age: 30d\n',
        '            max_age: 30d\n\n  - name: Q\n    sources:\n      - name: A\n        channels:\n          # front page only, no comments\n          - name: Front page\n            url: https://hnrss.org/frontpage\n',
      ),
    );
    const clash = renameEntry(original, FILE, { url: 'https://lwn.net/headlines/rss' }, 'Ask HN').text;
    expect(refusal(() => moveChannel(clash, FILE, { url: 'https://lwn.net/headlines/rss' }, { group: 'Tech', source: 'Hacker News' })).message).toMatch(/already has a channel "Ask HN"; rename one first/);
    expect(refusal(() => moveChannel(original, FILE, { url: 'https://hnrss.org/ask' }, { group: 'Tech', source: 'Hacker News' })).message).toMatch(/is already in Tech \/ Hacker News/);
    expect(refusal(() => moveChannel(original, FILE, { group: 'Tech' }, { group: 'Tech', source: 'LWN.net' })).message).toMatch(/name the channel to move/);
  });
});

describe('enable / disable', () => {
  it('writes enabled: false, and enable gives the original bytes back', () => {
    const off = setEnabled(original, FILE, { url: 'https://hnrss.org/ask' }, false);
    expect(off.text).toBe(swap(original, 'url: https://hnrss.org/ask    # rarely useful\n', 'url: https://hnrss.org/ask    # rarely useful\n            enabled: false\n'));
    expect(parseConfig(off.text, FILE, {}).channels.find((c) => c.url === 'https://hnrss.org/ask')!.settings.enabled).toBe(false);
    expect(setEnabled(off.text, FILE, { url: 'https://hnrss.org/ask' }, true).text).toBe(original);
    const group = setEnabled(original, FILE, { group: 'Tech' }, false);
    expect(group.text).toBe(swap(original, '    schedule: "0 * * * *"\n', '    schedule: "0 * * * *"\n    enabled: false\n'));
    expect(setEnabled(group.text, FILE, { group: 'Tech' }, true).text).toBe(original);
  });

  it('enable under a disabled group says it stays off; a no-op changes nothing', () => {
    const group = setEnabled(original, FILE, { group: 'Tech' }, false).text;
    const r = setEnabled(group, FILE, { url: 'https://lwn.net/headlines/rss' }, true);
    expect(r.text).toBe(group);
    expect(r.warnings).toEqual(['channel Tech / LWN.net / Headlines stays off: its group Tech has enabled: false, which turns off everything under it']);
    const same = setEnabled(original, FILE, { group: 'Tech' }, true);
    expect(same.text).toBe(original);
    expect(same.changes).toEqual(['group Tech is already enabled; nothing to change']);
    const defaults = setEnabled(original, FILE, { level: 'defaults' }, false);
    expect(defaults.text).toBe(swap(original, '  headers: { Accept-Language: "zh-CN,zh;q=0.9" }\n', '  headers: { Accept-Language: "zh-CN,zh;q=0.9" }\n  enabled: false\n'));
    expect(parseConfig(defaults.text, FILE, {}).channels.some((c) => c.settings.enabled)).toBe(false);
  });
});

describe('set / unset', () => {
  it('a new key of a group goes above its sources: list', () => {
    const r = setSetting(original, FILE, { group: 'Tech' }, 'limit', '5');
    expect(r.text).toBe(swap(original, '    schedule: "0 * * * *"\n', '    schedule: "0 * * * *"\n    limit: 5\n'));
    expect(parseConfig(r.text, FILE, {}).groups[1].settings.limit).toBe(5);
  });

  it('a flow list stays a flow list; a cron expression is the text as typed; a replaced value keeps its line comment', () => {
    const inc = setSetting(original, FILE, { group: 'Tech', source: 'Hacker News' }, 'include', '[Porto, Benfica]');
    expect(inc.text).toBe(swap(original, '      - name: Hacker News\n', '      - name: Hacker News\n        include: [ Porto, Benfica ]\n'));
    expect(parseConfig(inc.text, FILE, {}).groups[1].sources[0].settings.include).toEqual(['Porto', 'Benfica']);
    const cron = setSetting(original, FILE, { level: 'defaults' }, 'schedule', '*/15 * * * *');
    expect(cron.text).toBe(swap(original, "  schedule: '*/30 * * * *'   # single-quoted", '  schedule: "*/15 * * * *"   # single-quoted'));
    expect(cron.changes).toEqual(['set schedule: "*/15 * * * *" on defaults (was "*/30 * * * *")']);
    const site = setSetting(original, FILE, { level: 'site' }, 'title', 'My feeds');
    expect(site.text).toBe(swap(original, '  title:   "Reading list"          # odd spacing', '  title:   My feeds          # odd spacing'));
    const retention = setSetting(original, FILE, { url: 'https://lwn.net/headlines/rss' }, 'retention', '{items: 100, age: 90d}');
    expect(parseConfig(retention.text, FILE, {}).channels.at(-1)!.settings.retention).toEqual({ items: 100, ageMs: 90 * 86_400_000 });
  });

  it('a bad value is refused with the schema message, a setting that wants a string gets the text as typed', () => {
    expect(refusal(() => setSetting(original, FILE, { group: 'Tech' }, 'limit', 'lots')).message).toMatch(/groups\[1\]\.limit: must be a number, not "lots"/);
    expect(refusal(() => setSetting(original, FILE, { group: 'Tech' }, 'schedule', '* * *')).message).toMatch(/groups\[1\]\.schedule: invalid cron expression/);
    expect(refusal(() => setSetting(original, FILE, { group: 'Tech' }, 'shedule', '0 * * * *')).message).toMatch(/shedule/);
    expect(refusal(() => setSetting(original, FILE, { group: 'Tech' }, 'name', 'X')).message).toBe('name is not a setting: rename it with: refeed sources rename');
    const ua = setSetting(original, FILE, { url: 'https://hnrss.org/ask' }, 'user_agent', '1.0');
    expect(parseConfig(ua.text, FILE, {}).channels.find((c) => c.url === 'https://hnrss.org/ask')!.settings.userAgent).toBe('1.0');
  });

  it('unset removes the key with the comment lines above it; unset of what is not there changes nothing', () => {
    expect(unsetSetting(original, FILE, { url: 'https://lwn.net/headlines/rss' }, 'max_age').text).toBe(swap(original, '            max_age: 30d\n', ''));
    expect(unsetSetting(original, FILE, { level: 'defaults' }, 'headers').text).toBe(swap(original, '  headers: { Accept-Language: "zh-CN,zh;q=0.9" }\n', ''));
    const commented = swap(original, '    schedule: "0 * * * *"\n', '    # hourly is enough\n    schedule: "0 * * * *"\n');
    expect(unsetSetting(commented, FILE, { group: 'Tech' }, 'schedule').text).toBe(swap(original, '    schedule: "0 * * * *"\n', ''));
    const none = unsetSetting(original, FILE, { group: 'Tech' }, 'limit');
    expect(none.text).toBe(original);
    expect(none.changes).toEqual(['group Tech has no limit of its own; nothing to change']);
  });

  it('a key on the line of the item dash, and a mapping that does not exist yet', () => {
    const text = 'groups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n          - limit: 5   # five\n            name: C\n            url: https://c.example/feed\n';
    expect(unsetSetting(text, FILE, { url: 'https://c.example/feed' }, 'limit').text).toBe(
      'groups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n          - name: C\n            url: https://c.example/feed\n',
    );
    const withDefaults = setSetting(text, FILE, { level: 'defaults' }, 'limit', '7');
    expect(withDefaults.text).toBe(`${text}defaults:\n  limit: 7\n`);
    expect(unsetSetting(withDefaults.text, FILE, { level: 'defaults' }, 'limit').text).toBe(text);
  });
});

describe('rules', () => {
  const ask = { url: 'https://hnrss.org/ask' };

  it('add writes the one-key mapping list of spec21; remove of the last one gives the original back', () => {
    const one = addRule(original, FILE, { group: 'Tech' }, 'block title', '(?i)^sponsored:');
    expect(one.text).toBe(swap(original, '    schedule: "0 * * * *"\n', '    schedule: "0 * * * *"\n    rules:\n      - block title: "(?i)^sponsored:"\n'));
    const two = addRule(one.text, FILE, { group: 'Tech' }, 'keep  any', 'derby');
    expect(two.text).toBe(swap(one.text, '      - block title: "(?i)^sponsored:"\n', '      - block title: "(?i)^sponsored:"\n      - keep any: derby\n'));
    expect(removeRule(two.text, FILE, { group: 'Tech' }, 2).text).toBe(one.text);
    expect(removeRule(one.text, FILE, { group: 'Tech' }, { rule: 'block title' }).text).toBe(original);
    const defaults = addRule(original, FILE, { level: 'defaults' }, 'block before', '2024-01-01');
    expect(defaults.text).toBe(swap(original, '  headers: { Accept-Language: "zh-CN,zh;q=0.9" }\n', '  headers: { Accept-Language: "zh-CN,zh;q=0.9" }\n  rules:\n    - block before: 2024-01-01\n'));
  });

  it('list gives the own rules numbered and the inherited ones, defaults first', () => {
    let text = addRule(original, FILE, { level: 'defaults' }, 'block title', '^Ad:').text;
    text = addRule(text, FILE, { group: 'Tech' }, 'block tag', '(?i)^betting$').text;
    text = addRule(text, FILE, ask, 'keep title', 'Porto|Benfica').text;
    text = addRule(text, FILE, ask, 'block title', 'x').text;
    expect(listRules(text, ask)).toEqual({
      own: [
        { index: 1, rule: 'keep title', value: 'Porto|Benfica' },
        { index: 2, rule: 'block title', value: 'x' },
      ],
      inherited: [
        { from: 'defaults', rules: [{ rule: 'block title', value: '^Ad:' }] },
        { from: 'group Tech', rules: [{ rule: 'block tag', value: '(?i)^betting$' }] },
      ],
    });
    expect(refusal(() => removeRule(text, FILE, ask, 3)).message).toBe('channel Tech / Hacker News / Ask HN has no rule 3 (its rules: 1. keep title: "Porto|Benfica"; 2. block title: "x")');
    expect(refusal(() => removeRule(text, FILE, ask, { rule: 'block link' })).code).toBe('not-found');
    const twice = addRule(text, FILE, ask, 'block title', 'y').text;
    expect(refusal(() => removeRule(twice, FILE, ask, { rule: 'block title' })).message).toMatch(/2 rules of .* are "block title" \(2, 3\): give the value too/);
    expect(listRules(removeRule(twice, FILE, ask, { rule: 'block title', value: 'y' }).text, ask).own).toHaveLength(2);
  });

  it('refuses what is not "<action> <field>" and rules on site', () => {
    expect(refusal(() => addRule(original, FILE, ask, 'block', 'x')).message).toMatch(/is not a rule: a rule is "<action> <field>"/);
    expect(refusal(() => addRule(original, FILE, { level: 'site' }, 'block title', 'x')).message).toMatch(/site has no rules/);
  });
});

describe('values typed on the command line', () => {
  it('reads numbers, booleans and flow collections as YAML, the rest as typed', () => {
    const plain = (s: string) => {
      const v = readValue(s).value;
      return v !== null && typeof v === 'object' ? (v as { toJSON(): unknown }).toJSON() : v;
    };
    expect(plain('5')).toBe(5);
    expect(plain('true')).toBe(true);
    expect(plain('[Porto, Benfica]')).toEqual(['Porto', 'Benfica']);
    expect(plain('{items: 5}')).toEqual({ items: 5 });
    expect(plain('*/15 * * * *')).toBe('*/15 * * * *');
    expect(plain('#ad')).toBe('#ad');
    expect(plain('a: b')).toBe('a: b');
    expect(plain('Porto|Benfica')).toBe('Porto|Benfica');
  });
});

describe('refeed sources (files): every edit with --dry-run prints the diff and writes nothing', () => {
  function workCopy(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'refeed-edit-'));
    const file = path.join(dir, 'refeed.yaml');
    cpSync(FIXTURE, file);
    return file;
  }

  // [name, args, a line the diff must show, an edit made first (so there is something to enable or remove)]
  const edits: [string, string[], RegExp, string[]?][] = [
    ['add', ['add', '--no-check', '--group', 'Tech', '--source', 'LWN.net', '--channel', 'Kernel', 'https://lwn.net/kernel/rss'], /^\+ {12}url: https:\/\/lwn\.net\/kernel\/rss$/m],
    ['remove', ['remove', 'https://hnrss.org/ask'], /^- {12}url: https:\/\/hnrss\.org\/ask/m],
    ['rename', ['rename', '--group', 'Tech', 'Technology'], /^-  - name: Tech\n\+  - name: Technology\n\+    slug: tech$/m],
    ['enable', ['enable', '--group', 'Tech'], /^- {4}enabled: false$/m, ['disable', '--group', 'Tech']],
    ['rules remove', ['rules', 'remove', 'defaults', '1'], /^- {4}- block title: x$/m, ['rules', 'add', 'defaults', 'block title', 'x']],
    ['move', ['move', 'https://hnrss.org/ask', '--to-group', 'Tech', '--to-source', 'LWN.net'], /^\+ {10}- name: Ask HN$/m],
    ['disable', ['disable', 'https://hnrss.org/ask'], /^\+ {12}enabled: false$/m],
    ['set', ['set', '--group', 'Tech', 'limit', '5'], /^\+ {4}limit: 5$/m],
    ['set site', ['set', 'site', 'title', 'My feeds'], /^\+  title: {3}My feeds/m],
    ['unset', ['unset', 'defaults', 'headers'], /^- {2}headers:/m],
    ['rules add', ['rules', 'add', '--group', 'Tech', 'block title', '(?i)^sponsored:'], /^\+ {6}- block title: "\(\?i\)\^sponsored:"$/m],
  ];
  for (const [name, args, line, first] of edits) {
    it(name, async () => {
      const file = workCopy();
      if (first) expect((await runCommand(sourcesCommand, [...first, '-c', file])).code).toBe(0);
      const before = readFileSync(file, 'utf8');
      const mtime = statSync(file).mtimeMs;
      const dry = await runCommand(sourcesCommand, [...args, '--dry-run', '-c', file]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(new RegExp(`^--- ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\tbefore\n\\+\\+\\+ `));
      expect(dry.stdout).toMatch(line);
      expect(dry.stderr).toMatch(/^would have /m);
      expect(dry.stderr).toContain(`dry run: ${file} not changed`);
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(statSync(file).mtimeMs).toBe(mtime);
      // The same edit for real writes what the diff showed.
      const real = await runCommand(sourcesCommand, [...args, '-c', file]);
      expect(real.code, real.stderr).toBe(0);
      expect(real.stdout).toBe('');
      expect(real.stderr).toContain(`wrote ${file}`);
      const after = readFileSync(file, 'utf8');
      for (const added of dry.stdout.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'))) expect(after).toContain(added.slice(1));
      expect(after).not.toBe(before);
      // The diff is exact: applied to the file as it was, it gives the file as written.
      expect(applyPatch(before, dry.stdout)).toBe(after);
    });
  }

  it('rules list prints the rules on stdout; a refused edit exits 1 with the file untouched; bad arguments exit 64', async () => {
    const file = workCopy();
    await runCommand(sourcesCommand, ['rules', 'add', '-c', file, 'defaults', 'block title', '^Ad:']);
    await runCommand(sourcesCommand, ['rules', 'add', '-c', file, 'https://hnrss.org/ask', 'keep title', 'Porto|Benfica']);
    const list = await runCommand(sourcesCommand, ['rules', 'list', '-c', file, 'https://hnrss.org/ask']);
    expect(list).toMatchObject({ code: 0, stdout: 'inherited from defaults:\n   block title: "^Ad:"\nits own:\n 1. keep title: "Porto|Benfica"\n' });
    const json = await runCommand(sourcesCommand, ['rules', 'list', '--json', '-c', file, 'defaults']);
    expect(JSON.parse(json.stdout)).toEqual({ own: [{ index: 1, rule: 'block title', value: '^Ad:' }], inherited: [] });
    const before = readFileSync(file, 'utf8');
    const bad = await runCommand(sourcesCommand, ['set', '-c', file, '--group', 'Tech', 'limit', 'lots']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/refeed sources set: the edit would make the configuration invalid: line \d+ groups\[1\]\.limit: .*; .* not changed/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    for (const args of [
      ['set', 'Tech', 'limit', '5'],
      ['set', '--group', 'Tech', 'limit'],
      ['rename', 'defaults', 'X'],
      ['move', 'https://hnrss.org/ask', '--to-group', 'Tech'],
      ['rules', 'frob'],
      ['enable', '--channel', 'Ask HN'],
    ]) {
      const r = await runCommand(sourcesCommand, [...args, '-c', file]);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr).toMatch(/Usage:/);
    }
    const notATarget = await runCommand(sourcesCommand, ['disable', 'Tech', '-c', file]);
    expect(notATarget.stderr).toMatch(/"Tech" is not a target: name it with --group G/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('an edit refuses a file changed by hand into an invalid one (exit 2)', async () => {
    const file = workCopy();
    writeFileSync(file, original.replace('url: https://hnrss.org/ask', 'url: hnrss.org/ask'));
    const r = await runCommand(sourcesCommand, ['disable', '-c', file, '--group', 'Tech']);
    expect(r.code).toBe(2);
  });
});

describe('a file with CRLF line ends', () => {
  it('every edit writes CRLF lines, splices rather than re-renders, and undoes to the same bytes', () => {
    const crlf = original.replace(/\n/g, '\r\n');
    const results = [
      renameEntry(crlf, FILE, { group: 'Tech' }, 'Technology'),
      moveChannel(crlf, FILE, { url: 'https://hnrss.org/frontpage' }, { group: 'Tech', source: 'LWN.net' }),
      moveChannel(crlf, FILE, { url: 'https://hnrss.org/frontpage' }, { group: 'Q', source: 'A' }, { create: true }),
      setSetting(crlf, FILE, { group: 'Tech' }, 'limit', '5'),
      unsetSetting(crlf, FILE, { group: 'Tech' }, 'schedule'),
      addRule(crlf, FILE, { group: 'Tech' }, 'block title', 'x'),
      setEnabled(crlf, FILE, { url: 'https://hnrss.org/ask' }, false),
    ];
    for (const r of results) {
      expect(r.warnings).toEqual(expect.not.arrayContaining([expect.stringMatching(/re-rendered/)]));
      expect(r.text.replace(/\r\n/g, '')).not.toContain('\n');
      expect(r.text).not.toBe(crlf);
    }
    expect(removeRule(results[5].text, FILE, { group: 'Tech' }, 1).text).toBe(crlf);
    expect(setEnabled(results[6].text, FILE, { url: 'https://hnrss.org/ask' }, true).text).toBe(crlf);
  });
});

describe('refeed sources rename with a state that keeps an old slug', () => {
  it('pins the slug the stored channels use (refeed 0.1\'s), not the one the name would give today', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'refeed-rename-'));
    const file = path.join(dir, 'refeed.yaml');
    const text = `site:\n  state: ${dir}/state.db\n  output: ${dir}/out\ngroups:\n  - name: 新闻\n    sources:\n      - name: S\n        channels:\n          - name: C\n            url: https://c.example/feed\n`;
    writeFileSync(file, text);
    const legacy = legacySlugify('新闻');
    expect(legacy).toMatch(/^c-[0-9a-f]{8}$/);
    const store = new SqliteStore(path.join(dir, 'state.db'));
    await store.ensureChannel(`${legacy}/s/c`, 'https://c.example/feed', Date.now());
    await store.close();
    const r = await runCommand(sourcesCommand, ['rename', '-c', file, '--group', '新闻', 'News']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(swap(text, '  - name: 新闻\n', `  - name: News\n    slug: ${legacy}\n`));
  });
});
