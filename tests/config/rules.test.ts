import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { validateCommand } from '../../src/cli/commands/validate.ts';
import { runCommand } from '../editors/run-command.ts';
import { writeTempConfig } from '../helpers/config-file.ts';
import { thrownBy } from '../helpers/thrown.ts';

// Issue 21: `rules:` at every level, in the shape `"<action> <field>": <value>`;
// what RE2 cannot read, an unknown action or field and a bad date are errors
// with their line; likely mistakes are warnings with theirs.

const config = (levels: { defaults?: string; group?: string; source?: string; channel?: string }) => `site: { output: out, state: state.db }
defaults:
  allow_private: true
${levels.defaults ?? ''}groups:
  - name: G
${levels.group ?? ''}    sources:
      - name: S
${levels.source ?? ''}        channels:
          - name: C
            url: https://example.org/feed.xml
${levels.channel ?? ''}`;

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('rules in the config', () => {
  it('accumulate over the levels, defaults first, each resolved with its date', () => {
    const c = parseConfig(
      config({
        defaults: '  rules:\n    - block title: "(?i)^sponsored:"\n',
        group: '    rules:\n      - keep title: "Porto|Benfica"\n      - block before: 2024-01-01\n',
        source: '        rules:\n          - block after: 2030-01-01T12:00:00+02:00\n',
        channel: '            rules:\n              - block link: "example\\\\.com/ads/"\n              - keep any: 2024\n',
      }),
      '/tmp/refeed.yaml',
      {},
    );
    expect(c.channels[0].settings.rules).toEqual([
      { action: 'block', field: 'title', value: '(?i)^sponsored:' },
      { action: 'keep', field: 'title', value: 'Porto|Benfica' },
      { action: 'block', field: 'before', value: '2024-01-01', at: Date.UTC(2024, 0, 1) },
      { action: 'block', field: 'after', value: '2030-01-01T12:00:00+02:00', at: Date.UTC(2030, 0, 1, 10) },
      { action: 'block', field: 'link', value: 'example\\.com/ads/' },
      // YAML reads 2024 as a number: the rule means the text.
      { action: 'keep', field: 'any', value: '2024' },
    ]);
    // A level's list adds to its parent's; the source sees defaults' and the group's.
    expect(c.groups[0].sources[0].settings.rules).toHaveLength(4);
    expect(c.defaults.rules).toHaveLength(1);
  });

  it('include/exclude keep their per-level override (not accumulated)', () => {
    const c = parseConfig(config({ defaults: '  include: [a, b]\n  exclude: x\n', channel: '            include: c\n' }), '/tmp/refeed.yaml', {});
    expect(c.channels[0].settings.include).toEqual(['c']);
    expect(c.channels[0].settings.exclude).toEqual(['x']);
  });

  it('rejects an unknown action or field naming the allowed ones, a pattern RE2 cannot read with its reason, a bad date; each at its line', () => {
    const text = config({
      source: [
        '        rules:',
        '          - drop title: x',
        '          - block body: x',
        '          - block title: "(?=lookahead)"',
        '          - keep link: "(a)\\\\1"',
        '          - block before: 2024-02-30',
        '          - block after: tomorrow',
        '          - block title',
        '          - { keep title: a, block title: b }',
        '          - keep author:',
        '        include: "(?<!x)y"',
        '',
      ].join('\n'),
    });
    const e = thrownBy(ConfigError, () => parseConfig(text, '/tmp/refeed.yaml', {}), 'a ConfigError');
    const at = 'groups[0].sources[0]';
    expect(e.problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [lineOf(text, 'drop title'), `${at}.rules[0].drop title`, 'unknown rule action "drop" in "drop title": use keep or block'],
      [lineOf(text, 'block body'), `${at}.rules[1].block body`, 'unknown rule field "body" in "block body": use title, link, author, tag, content, any, before or after'],
      [
        lineOf(text, 'lookahead'),
        `${at}.rules[2].block title`,
        '"(?=lookahead)" is not an RE2 pattern: invalid or unsupported Perl syntax: `(?=` (RE2 has no lookaround and no backreferences)',
      ],
      [lineOf(text, 'keep link'), `${at}.rules[3].keep link`, '"(a)\\1" is not an RE2 pattern: invalid escape sequence: `\\1` (RE2 has no lookaround and no backreferences)'],
      [lineOf(text, '2024-02-30'), `${at}.rules[4].block before`, '"2024-02-30" is not a date: block before takes YYYY-MM-DD or an ISO 8601 date and time (2024-01-31T12:00:00Z)'],
      [lineOf(text, 'tomorrow'), `${at}.rules[5].block after`, '"tomorrow" is not a date: block after takes YYYY-MM-DD or an ISO 8601 date and time (2024-01-31T12:00:00Z)'],
      [text.split('\n').indexOf('          - block title') + 1, `${at}.rules[6]`, 'a rule is one "<action> <field>: <value>" mapping, e.g. - block title: "(?i)^sponsored:"'],
      [lineOf(text, '{ keep title'), `${at}.rules[7]`, 'a rule has exactly one "<action> <field>" key, this one has 2 (keep title, block title): write one rule per list item, e.g. - block title: "(?i)^sponsored:"'],
      [lineOf(text, 'keep author'), `${at}.rules[8].keep author`, 'keep author needs a pattern (an RE2 regular expression), e.g. - block title: "(?i)^sponsored:"'],
      [lineOf(text, 'include:'), `${at}.include`, 'must be an RE2 regular expression: invalid named capture: `(?<!x)y` (RE2 has no lookaround and no backreferences)'],
    ]);
  });

  it('suggests the field or action meant', () => {
    const e = thrownBy(ConfigError, () => parseConfig(config({ channel: '            rules:\n              - blokc titel: x\n' }), '/tmp/refeed.yaml', {}), 'a ConfigError');
    expect(e.problems[0].message).toBe('unknown rule action "blokc" in "blokc titel" (did you mean "block"?): use keep or block');
    const f = thrownBy(ConfigError, () => parseConfig(config({ channel: '            rules:\n              - block titel: x\n' }), '/tmp/refeed.yaml', {}), 'a ConfigError');
    expect(f.problems[0].message).toBe('unknown rule field "titel" in "block titel" (did you mean "title"?): use title, link, author, tag, content, any, before or after');
  });

  it('warns, with the line, of (i?) meant as (?i), an unescaped dot in a domain of a link rule, and an empty pattern', async () => {
    const text = config({
      group: '    exclude: "(i?)casino"\n',
      channel: [
        '            rules:',
        '              - block link: "https://ads.example.com/"',
        '              - block link: "example\\\\.org/ok"',
        '              - keep title: ""',
        '              - block title: "Node.js"',
        '',
      ].join('\n'),
    });
    const c = parseConfig(text, '/tmp/refeed.yaml', {});
    const at = 'groups[0].sources[0].channels[0]';
    expect(c.warnings.map((w) => [w.line, w.path, w.message])).toEqual([
      [lineOf(text, '(i?)casino'), 'groups[0].exclude', '"(i?)" is an optional group matching "i", not a flag: write "(?i)" at the start to ignore case'],
      [lineOf(text, 'ads.example.com'), `${at}.rules[0].block link`, '"ads.example.com": "." matches any character; write "ads\\\\.example\\\\.com" to match the dot itself'],
      [lineOf(text, 'keep title: ""'), `${at}.rules[2].keep title`, 'an empty pattern matches every item: this keep rule keeps everything, and the other keep rules do nothing'],
    ]);

    // `refeed validate` prints them as file:line: warning: …, and the file is still valid.
    const file = writeTempConfig(text, 'refeed-rules-');
    const r = await runCommand(validateCommand, ['-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}:${lineOf(text, 'ads.example.com')}: warning: ${at}.rules[0].block link: "ads.example.com": "." matches any character`);
    expect(r.stdout).toContain(`${file}:${lineOf(text, '(i?)casino')}: warning: groups[0].exclude: "(i?)"`);
    expect(r.stdout).toMatch(/OK — .*3 warnings/);
  });
});
