import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem, parseConfig } from '../../src/config/index.ts';
import { validateCommand } from '../../src/cli/commands/validate.ts';
import { runCommand } from '../editors/run-command.ts';
import { writeTempConfig } from '../helpers/config-file.ts';
import { thrownBy } from '../helpers/thrown.ts';

// Issue 21, item 5: the mistakes a new user makes in the YAML get one message
// each, at the mistake's line, saying what to change — not the parser's
// grammar, and not a cascade of follow-on errors.

const HEAD = `site:
  title: Test
  output: out
groups:
  - name: News
    sources:
      - name: BBC
        channels:
`;

/** A file whose one channel (at line 9) is `channel`, the lines after HEAD. */
const withChannel = (channel: string) => HEAD + channel;

/** The problems loading `text` reports, as [line, path, message]; the test fails unless it is refused. */
function problems(text: string): [number | undefined, string, string][] {
  const e = thrownBy(ConfigError, () => parseConfig(text, '/tmp/x/refeed.yaml', {}), 'the config to be refused');
  expect(e.warnings).toEqual([]);
  return e.problems.map((p) => [p.line, p.path, p.message]);
}

describe('YAML messages that name the fix (one per mistake)', () => {
  it('an unquoted cron expression: quote it (not "Unexpected alias at node end" four times)', () => {
    const text = withChannel(`          - name: World
            url: https://example.org/world.xml
            limit: 10
            schedule: */30 * * * *
`);
    expect(problems(text)).toEqual([[12, '', 'schedule: quote the cron expression: schedule: "*/30 * * * *"']]);
    const e = thrownBy(ConfigError, () => parseConfig(text, '/tmp/x/refeed.yaml', {}), 'refused');
    expect(formatProblem(e.problems[0])).toBe('line 12: schedule: quote the cron expression: schedule: "*/30 * * * *"');
    // Every field a star, in defaults too.
    expect(problems(`defaults:\n  schedule: * * * * *\n${HEAD.replace('site:\n  title: Test\n  output: out\n', '')}          - { name: W, url: "https://example.org/w.xml" }\n`)).toEqual([
      [2, '', 'schedule: quote the cron expression: schedule: "* * * * *"'],
    ]);
  });

  it('other values starting with *, & or ! that YAML reads as syntax: quote them', () => {
    const star = withChannel('          - name: *Breaking* news\n            url: https://example.org/world.xml\n');
    expect(problems(star)).toEqual([[9, '', 'name: quote the value: name: "*Breaking* news" (unquoted, YAML reads a leading * as an alias)']]);
    // An alias to an anchor that does not exist: YAML itself is silent until it resolves it.
    const alias = withChannel('          - name: *starred\n            url: https://example.org/world.xml\n');
    expect(problems(alias)).toEqual([[9, '', 'name: quote the value: name: "*starred" (unquoted, YAML reads a leading * as an alias)']]);
    // An anchor nothing uses, on a text: YAML silently drops "&Co " from the name.
    const amp = withChannel('          - name: &Co and sons\n            url: https://example.org/world.xml\n');
    expect(problems(amp)).toEqual([[9, '', 'name: quote the value: name: "&Co and sons" (unquoted, YAML reads a leading & as an anchor)']]);
    const bang = withChannel('          - name: !important\n            url: https://example.org/world.xml\n');
    expect(problems(bang)).toEqual([[9, '', 'name: quote the value: name: "!important" (unquoted, YAML reads a leading ! as a tag)']]);
    const item = withChannel('          - name: World\n            url: https://example.org/world.xml\n            exclude:\n              - *sponsored* post\n');
    expect(problems(item)).toEqual([[12, '', 'quote the value: - "*sponsored* post" (unquoted, YAML reads a leading * as an alias)']]);
  });

  it('other values YAML reads as something else than text: a reserved @, a [bracket] or "quoted" start, a ": " inside', () => {
    const at = (value: string, key = 'schedule') => problems(withChannel(`          - name: World\n            url: https://example.org/world.xml\n            ${key}: ${value}\n`));
    expect(at('@daily')).toEqual([[11, '', 'schedule: quote the value: schedule: "@daily" (unquoted, YAML reserves a leading @)']]);
    expect(at('[LWN] weekly', 'user_agent')).toEqual([[11, '', 'user_agent: quote the value: user_agent: "[LWN] weekly" (unquoted, YAML reads a leading [ as the start of a list)']]);
    expect(at('"Quoted" part', 'user_agent')).toEqual([[11, '', 'user_agent: quote the value: user_agent: "\\"Quoted\\" part" (a quoted part with more text after it is not one value)']]);
    expect(problems(withChannel('          - name: Breaking: news\n            url: https://example.org/world.xml\n'))).toEqual([
      [9, '', 'name: quote the value: name: "Breaking: news" (unquoted, YAML reads the ": " in it as a key)'],
    ]);
    // A schedule that is not a valid cron expression yet is still one to quote first.
    expect(at('*/61 * * * *')).toEqual([[11, '', 'schedule: quote the cron expression: schedule: "*/61 * * * *"']]);
  });

  it('an unclosed { or [ on one line: where it opens', () => {
    expect(problems(withChannel('          - { name: World, url: "https://example.org/world.xml"\n          - { name: Two, url: "https://example.org/two.xml" }\n'))).toEqual([
      [9, '', 'the { opened at line 9 is never closed: end the mapping with } on that line'],
    ]);
    expect(problems(withChannel('          - name: World\n            url: https://example.org/world.xml\n            include: [Porto, Benfica\n            limit: 5\n'))).toEqual([
      [11, '', 'the [ opened at line 11 is never closed: end the list with ] on that line'],
    ]);
  });

  it('layout mistakes: a key over- or under-indented, no space after a colon or a dash', () => {
    const over = withChannel('          - name: World\n            url: https://example.org/world.xml\n              limit: 3\n');
    expect(problems(over)).toEqual([[11, '', '"limit" is indented more than "url" at line 10, which has its value on its line: indent it as "url" is']]);
    const under = withChannel('          - name: World\n            url: https://example.org/world.xml\n           limit: 3\n');
    expect(problems(under)).toEqual([[11, '', 'this line is indented by 11 spaces, like no line above it: indent it as the entries it belongs with']]);
    // Three parser errors on this line before.
    const source = withChannel('          - name: World\n            url: https://example.org/world.xml\n     - name: ITV\n       channels: []\n');
    expect(problems(source)).toEqual([[11, '', 'this line is indented by 5 spaces, like no line above it: indent it as the entries it belongs with']]);
    expect(problems(withChannel('          - name: World\n            url:https://example.org/world.xml\n'))).toEqual([[10, '', 'put a space after "url:": url: https://example.org/world.xml']]);
    expect(problems(withChannel('          -name: World\n            url: https://example.org/world.xml\n'))).toEqual([[9, '', 'put a space after the "-": - name: World']]);
  });

  it('a file the parser cannot make sense of: the first mistakes explained, the rest counted', () => {
    const junk = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i % 5)}k${i}: [v\n`).join('');
    const p = problems(junk);
    expect(p.length).toBeLessThanOrEqual(31);
    expect(p[p.length - 1][2]).toMatch(/^and YAML errors on \d+ more lines? from here: fix the ones above first$/);
  });

  it('anchors and aliases used as YAML, and a * in a text block, are left alone', () => {
    const text = `site:
  title: Test
  description: |
    - *not an alias* in a block of text
    &neither
defaults:
  headers: &h
    X-Token: abc
groups:
  - name: News
    sources:
      - name: BBC
        headers: *h
        channels:
          - name: World
            url: https://example.org/world.xml
            schedule: "*/30 * * * *"
`;
    const config = parseConfig(text, '/tmp/x/refeed.yaml', {});
    expect(config.channels[0].settings.schedule).toBe('*/30 * * * *');
    expect(config.site.description).toBe('- *not an alias* in a block of text\n&neither\n');
  });

  it('a tab in the indentation: one message with its line, not the parser\'s follow-on errors', () => {
    // This one tab made the parser report six errors.
    const text = withChannel('\t  - name: World\n            url: https://example.org/world.xml\n');
    expect(problems(text)).toEqual([[9, '', 'tab character at line 9: indent with spaces']]);
    const e = thrownBy(ConfigError, () => parseConfig(text, '/tmp/x/refeed.yaml', {}), 'refused');
    // The message names its line: not said twice.
    expect(formatProblem(e.problems[0])).toBe('tab character at line 9: indent with spaces');
    const two = withChannel('          - name: World\n\t    url: https://example.org/world.xml\n\t    limit: 4\n');
    expect(problems(two)).toEqual([[10, '', 'tab character at line 10: indent with spaces (tabs also at line 11)']]);
  });

  it('a tab inside a text block is not an indentation mistake', () => {
    const config = parseConfig(`site:\n  description: |\n    a\tb\n    \tc\n${HEAD.slice('site:\n'.length)}          - { name: W, url: "https://example.org/w.xml" }\n`, '/tmp/x/refeed.yaml', {});
    expect(config.site.description).toBe('a\tb\n\tc\n');
    // With a real tab mistake further down, the message names that line, not the text block's.
    const both = `site:\n  description: |\n    a\n    \tc\n${HEAD.slice('site:\n'.length)}\t  - { name: W, url: "https://example.org/w.xml" }\n`;
    expect(problems(both)).toEqual([[12, '', 'tab character at line 12: indent with spaces']]);
  });

  it("a channel with no url: channel 'X' has no url, at the channel's line", () => {
    expect(problems(withChannel('          - name: World\n            limit: 5\n'))).toEqual([[9, 'groups[0].sources[0].channels[0]', "channel 'World' has no url"]]);
    // `url:` with nothing after it is the same mistake.
    expect(problems(withChannel('          - name: World\n            url:\n'))).toEqual([[9, 'groups[0].sources[0].channels[0]', "channel 'World' has no url"]]);
  });

  it('a channel, source or group with no name: says which, by its line (and no slug warning about the empty name)', () => {
    expect(problems(withChannel('          - url: https://example.org/world.xml\n'))).toEqual([[9, 'groups[0].sources[0].channels[0]', 'a channel at line 9 has no name']]);
    expect(problems(withChannel('          - limit: 3\n'))).toEqual([[9, 'groups[0].sources[0].channels[0]', 'a channel at line 9 has no name and no url']]);
    const source = HEAD.replace('      - name: BBC\n', '      - limit: 3\n') + '          - { name: W, url: "https://example.org/w.xml" }\n';
    expect(problems(source)).toEqual([[7, 'groups[0].sources[0]', 'a source at line 7 has no name']]);
  });

  it('link / href / feed / uri / rss / xmlUrl written for url: did you mean "url", and no "missing url" besides', () => {
    for (const key of ['link', 'href', 'feed', 'uri', 'rss', 'xmlUrl', 'feed_url']) {
      const text = withChannel(`          - name: World\n            ${key}: https://example.org/world.xml\n`);
      expect(problems(text), key).toEqual([[10, `groups[0].sources[0].channels[0].${key}`, `unknown key "${key}" (did you mean "url"?)`]]);
    }
  });

  it('other common names: title for a channel\'s name, interval or cron for schedule', () => {
    expect(problems(withChannel('          - title: World\n            url: https://example.org/world.xml\n'))).toEqual([
      [9, 'groups[0].sources[0].channels[0].title', 'unknown key "title" (did you mean "name"?)'],
    ]);
    for (const key of ['interval', 'cron']) {
      const text = withChannel(`          - name: World\n            url: https://example.org/world.xml\n            ${key}: 5m\n`);
      expect(problems(text), key).toEqual([[11, `groups[0].sources[0].channels[0].${key}`, `unknown key "${key}" (did you mean "schedule"?)`]]);
    }
    // The spelling suggestion still works beside them.
    expect(problems(withChannel('          - name: World\n            url: https://example.org/world.xml\n            shedule: "@daily"\n'))).toEqual([
      [11, 'groups[0].sources[0].channels[0].shedule', 'unknown key "shedule" (did you mean "schedule"?)'],
    ]);
  });

  it('a duplicate key: which key, where the first one is, keep one', () => {
    const text = withChannel('          - name: World\n            url: https://example.org/world.xml\n            url: https://example.org/other.xml\n');
    expect(problems(text)).toEqual([[11, '', 'duplicate key "url" (also at line 10): keep one']]);
  });

  it('a quote inside the same quotes: the value requoted', () => {
    expect(problems(withChannel("          - name: 'Tom's blog'\n            url: https://example.org/world.xml\n"))).toEqual([
      [9, '', `name: quote the value: name: "Tom's blog" (a ' inside '…' ends the value early)`],
    ]);
    expect(problems(withChannel('          - name: "He said "hi""\n            url: https://example.org/world.xml\n'))).toEqual([
      [9, '', `name: quote the value: name: 'He said "hi"' (a " inside "…" ends the value early)`],
    ]);
  });

  it('a channel missing its "- ": one message at the second name, not a duplicate for each key', () => {
    const text = withChannel('          - name: A\n            url: https://example.org/a.xml\n            name: B\n            url: https://example.org/b.xml\n            limit: 3\n');
    expect(problems(text)).toEqual([[11, '', 'a second "name" in one channel (the first at line 9): a new channel starts with "- ": - name: B']]);
  });

  it('a value of the wrong type: said with the value and the fix', () => {
    const at = (line: string) => problems(withChannel(`          - name: World\n            url: https://example.org/world.xml\n            ${line}\n`));
    const path = 'groups[0].sources[0].channels[0]';
    expect(at('limit: ten')).toEqual([[11, `${path}.limit`, 'must be a number, not "ten"']]);
    expect(at('max_redirects: 2.5')).toEqual([[11, `${path}.max_redirects`, 'must be a whole number, not 2.5']]);
    expect(at('enabled: no')).toEqual([[11, `${path}.enabled`, 'must be true or false, not "no" (YAML 1.2 reads yes, no, on and off as text)']]);
    expect(problems(withChannel('          - name: 1984\n            url: https://example.org/world.xml\n'))).toEqual([[9, `${path}.name`, 'must be text, not the number 1984: quote it: name: "1984"']]);
  });

  it('an unclosed quote: where it opens, not where the file ends', () => {
    const text = withChannel('          - name: "World\n            url: https://example.org/world.xml\n          - name: Two\n            url: https://example.org/two.xml\n');
    expect(problems(text)).toEqual([[9, '', 'the " opened at line 9 is never closed: end the value with "']]);
  });

  it('a mapping where a list is expected, and a list where a mapping is', () => {
    expect(problems(withChannel('          name: World\n          url: https://example.org/world.xml\n'))).toEqual([
      [8, 'groups[0].sources[0].channels', 'channels must be a list: begin each channel with "- "'],
    ]);
    expect(problems(`site:\n  - title: Test\ngroups: []\n`)).toEqual([[1, 'site', 'site must be a mapping of keys, not a list: remove the "- "']]);
    expect(problems(withChannel('          - World\n'))).toEqual([[9, 'groups[0].sources[0].channels[0]', 'a channel is a mapping with a name: - name: World']]);
  });

  it('keys at the wrong level say where they belong (and no "no channels" besides)', () => {
    const layout = 'groups hold sources, sources hold channels, and each channel has a name and a url';
    const atChannel = withChannel('          - name: World\n            url: https://example.org/world.xml\n            sources:\n              - name: x\n');
    expect(problems(atChannel)).toEqual([[11, 'groups[0].sources[0].channels[0].sources', `unknown key "sources": a channel is one feed and holds no sources: ${layout}`]]);
    const atGroup = 'groups:\n  - name: News\n    channels:\n      - name: x\n        url: https://example.org/x.xml\n';
    expect(problems(atGroup)).toEqual([[3, 'groups[0].channels', `unknown key "channels": a group holds sources, not channels: ${layout}`]]);
    const atRoot = 'channels:\n  - name: x\n    url: https://example.org/x.xml\n';
    expect(problems(atRoot)).toEqual([[1, 'channels', `unknown key "channels": channels go under groups: ${layout}`]]);
  });

  it('refeed validate prints the one message with the file and line', async () => {
    const text = withChannel('          - name: World\n            url: https://example.org/world.xml\n            limit: 10\n            schedule: */30 * * * *\n');
    const file = writeTempConfig(text, 'refeed-yamlmsg-');
    const r = await runCommand(validateCommand, ['-c', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`${file}:12: schedule: quote the cron expression: schedule: "*/30 * * * *"\n1 problem in ${file}\n`);
    const tab = writeTempConfig(withChannel('\t  - name: World\n            url: https://example.org/world.xml\n'), 'refeed-yamlmsg-');
    expect((await runCommand(validateCommand, ['-c', tab])).stdout).toBe(`${tab}:9: tab character at line 9: indent with spaces\n1 problem in ${tab}\n`);
    const noUrl = writeTempConfig(withChannel('          - name: World\n'), 'refeed-yamlmsg-');
    expect((await runCommand(validateCommand, ['-c', noUrl])).stdout).toBe(`${noUrl}:9: groups[0].sources[0].channels[0]: channel 'World' has no url\n1 problem in ${noUrl}\n`);
  });
});
