import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { runRefeed } from '../helpers/refeed-process.ts';

// Issue 20, item 4: `validate` passed a 0-byte file, and every command took
// an empty or cut-short configuration for one with no channels (a publish
// then emptied every feed). Now no channels must be said (`groups: []`, or
// `sources: []` / `channels: []` at a lower level); anything else is exit 2
// with a message saying the file looks empty or cut short.

const FILE = '/tmp/x/refeed.yaml';
const GOOD = stringify({ site: { output: 'out', state: 'state.db' }, groups: [{ name: 'G', sources: [{ name: 'S', channels: [{ name: 'C', url: 'https://a.example/feed.xml' }] }] }] });

const IMPLICIT: [string, string, RegExp][] = [
  ['0-byte', '', /the file is empty/],
  ['whitespace only', ' \n\t\n  \n', /the file is empty/],
  ['comments only', '# refeed\n# nothing else\n', /the file is empty/],
  ['cut short before groups', 'site:\n  title: x\n  output: out\n', /the file has no `groups`/],
  ['cut short at groups', 'site: { output: out }\ngroups:\n', /the file has no `groups`/],
  ['cut short in a group', 'groups:\n  - name: G\n', /groups\[0\]: no channels: group "G" has no `sources`/],
  ['cut short in a source', 'groups:\n  - name: G\n    sources:\n      - name: S\n', /groups\[0\]\.sources\[0\]: no channels: source "S" has no `channels`/],
];

describe('a configuration with no channels', () => {
  it.each(IMPLICIT)('is rejected when it does not say so: %s', (_, text, message) => {
    let error: unknown;
    try {
      parseConfig(text, FILE, {});
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(message);
    expect(String(error)).toMatch(/groups: \[\]|sources: \[\]|channels: \[\]/);
  });

  it.each([
    ['groups: []', 'groups: []\n'],
    ['a group with sources: []', 'groups:\n  - name: G\n    sources: []\n'],
    ['a source with channels: []', 'groups:\n  - name: G\n    sources:\n      - name: S\n        channels: []\n'],
  ])('is accepted when explicit: %s', (_, text) => {
    expect(parseConfig(text, FILE, {}).channels).toEqual([]);
  });

  it('with at least one channel, a group left empty by omission is no problem', () => {
    const text = `${GOOD}  - name: Empty\n`;
    expect(parseConfig(text, FILE, {}).channels.map((c) => c.key)).toEqual(['g/s/c']);
  });
});

describe('every command on an empty or cut-short configuration', () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-empty-config-'));
    file = path.join(dir, 'refeed.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const COMMANDS: string[][] = [
    ['validate'],
    ['once'],
    ['fetch'],
    ['publish'],
    ['reindex'],
    ['status'],
    ['serve', '--port', '0'],
    ['run', '--port', '0'],
    ['sources', 'list'],
    ['opml', 'export'],
  ];

  it.each(COMMANDS)('refeed %s exits 2 on a 0-byte file, naming the problem, and writes nothing', async (...args) => {
    writeFileSync(file, '');
    const r = await runRefeed([...args, '--config', file]);
    expect(r.code, r.stderr).toBe(2);
    // validate reports on stdout (its output is the report); every other command on stderr, stdout left clean.
    const report = args[0] === 'validate' ? r.stdout : r.stderr;
    expect(report).toContain(file);
    expect(report).toMatch(/no channels: the file is empty \(cut short\?\); a configuration with no channels on purpose says `groups: \[\]`/);
    if (args[0] !== 'validate') expect(r.stdout).toBe('');
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(existsSync(path.join(dir, 'state.db'))).toBe(false);
  });

  it('validate accepts an explicitly empty configuration, and rejects a truncated one', async () => {
    writeFileSync(file, stringify({ site: { output: 'out', state: 'state.db' }, groups: [] }));
    const ok = await runRefeed(['validate', '--config', file]);
    expect(ok.code, ok.stderr).toBe(0);
    writeFileSync(file, GOOD.slice(0, GOOD.indexOf('    sources')));
    const cut = await runRefeed(['validate', '--config', file]);
    expect(cut.code).toBe(2);
    expect(cut.stdout).toMatch(/groups\[0\]: no channels: group "G" has no `sources`/);
    expect(readFileSync(file, 'utf8')).toBe(GOOD.slice(0, GOOD.indexOf('    sources')));
  });
});
