import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseDuration, parseSize, slugify, loadConfig } from '../../src/config/index.ts';
import { thrownBy } from '../helpers/thrown.ts';

const base = `
site:
  title: refeed
  url: https://feeds.example.org/
  output: feeds
  state: .refeed/state.db
defaults:
  schedule: "*/30 * * * *"
  timeout: 20s
  max_bytes: 10MB
groups:
  - name: 新媒体
    sources:
      - name: 人人都是产品经理
        channels:
          - name: 最新文章
            url: https://example.org/woshipm/latest.xml
`;

const lineContaining = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const problemsOf = (text: string) => thrownBy(ConfigError, () => parseConfig(text, '/tmp/x/refeed.yaml'), 'the config to be rejected').problems;

describe('config', () => {
  it('loads the issue example and resolves the three levels with defaults', () => {
    const c = parseConfig(base, '/tmp/x/refeed.yaml');
    expect(c.channels).toHaveLength(1);
    const ch = c.channels[0];
    expect([ch.group.name, ch.source.name, ch.channel.name]).toEqual(['新媒体', '人人都是产品经理', '最新文章']);
    expect(ch.settings.timeoutMs).toBe(20_000);
    expect(ch.settings.maxBytes).toBe(10 * 1024 * 1024);
    expect(ch.settings.schedule).toBe('*/30 * * * *');
    expect(c.site.output).toBe('/tmp/x/feeds');
    expect(c.site.state).toBe('/tmp/x/.refeed/state.db');
    expect(ch.key).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+\/[a-z0-9-]+$/);
    expect(ch.configPath).toBe('groups[0].sources[0].channels[0]');
  });

  it('lets each level override the one above, headers merging', () => {
    const text = base
      .replace('  - name: 新媒体\n', '  - name: 新媒体\n    timeout: 5s\n    headers: { X-A: "1" }\n')
      .replace('          - name: 最新文章\n', '          - name: 最新文章\n            timeout: 1m\n            headers: { X-B: "2" }\n            enabled: false\n');
    const c = parseConfig(text, '/tmp/x/refeed.yaml');
    expect(c.groups[0].settings.timeoutMs).toBe(5000);
    expect(c.channels[0].settings.timeoutMs).toBe(60_000);
    expect(c.channels[0].settings.headers).toEqual({ 'X-A': '1', 'X-B': '2' });
    expect(c.channels[0].settings.enabled).toBe(false);
  });

  it('names the path and line of a bad URL', () => {
    const text = base.replace('https://example.org/woshipm/latest.xml', 'not a url');
    const p = problemsOf(text);
    expect(p).toHaveLength(1);
    expect(p[0].path).toBe('groups[0].sources[0].channels[0].url');
    expect(p[0].line).toBe(lineContaining(text, 'not a url'));
    expect(p[0].message).toMatch(/http/);
  });

  it('rejects unknown keys at their own line', () => {
    const text = base.replace('    sources:', '    shedule: "* * * * *"\n    sources:');
    const p = problemsOf(text);
    expect(p[0].path).toBe('groups[0].shedule');
    expect(p[0].line).toBe(lineContaining(text, 'shedule'));
    expect(p[0].message).toContain('unknown key "shedule"');
  });

  it('rejects bad cron, durations, sizes and duplicate URLs, all at once', () => {
    const text = `
defaults:
  schedule: "every day"
  timeout: soon
  max_bytes: lots
groups:
  - name: A
    sources:
      - name: S
        channels:
          - { name: one, url: "https://a.example/feed" }
          - { name: two, url: "https://a.example/feed" }
`;
    // Shape, cron and duplicates in one pass, in file order.
    const p = problemsOf(text);
    expect(p.map((x) => x.path)).toEqual(['defaults.schedule', 'defaults.timeout', 'defaults.max_bytes', 'groups[0].sources[0].channels[1].url']);
    expect(p[3].line).toBe(lineContaining(text, 'name: two'));
  });

  it('reports YAML syntax errors with their line', () => {
    const p = problemsOf('site:\n  title: [unclosed\n');
    expect(p[0].line).toBeGreaterThanOrEqual(2);
  });

  it('gives colliding names distinct slugs and says so', () => {
    const text = `
groups:
  - name: Tech News
    sources: []
  - name: tech-news
    sources: []
  - name: articles
    sources: []
`;
    const c = parseConfig(text, '/tmp/x/r.yaml');
    expect(c.groups.map((g) => g.slug)).toEqual(['tech-news', 'tech-news-2', 'articles-2']);
    expect(c.warnings.map((w) => [w.path, w.line])).toEqual([
      ['groups[1].name', lineContaining(text, 'name: tech-news')],
      ['groups[2].name', lineContaining(text, 'name: articles')],
    ]);
    expect(c.warnings[0].message).toBe('"tech-news" would collide with "Tech News" on slug "tech-news"; using "tech-news-2"');
  });

  it('derives deterministic URL-safe slugs, including for CJK names', () => {
    expect(slugify('Hacker News')).toBe('hacker-news');
    expect(slugify('Café Crème')).toBe('cafe-creme');
    expect(slugify('新媒体')).toBe(slugify('新媒体'));
    expect(slugify('新媒体')).toMatch(/^[a-z0-9-]+$/);
    expect(slugify('新媒体')).not.toBe(slugify('旧媒体'));
  });

  it('parses durations and sizes', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('20s')).toBe(20_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration(3)).toBe(3000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseSize('10MB')).toBe(10 * 1024 * 1024);
    expect(parseSize('512kb')).toBe(512 * 1024);
    expect(parseSize('0')).toBeUndefined();
  });

  it('keeps a postgres:// state as a URL, and checks its form and a queue URL where they are written', () => {
    const url = 'postgres://refeed:pw@db.internal:5432/refeed';
    const c = parseConfig(base.replace('state: .refeed/state.db', `state: ${url}\n  queue: redis://cache:6379/2`), '/tmp/x/refeed.yaml', {});
    expect(c.site.state).toBe(url);
    expect(c.site.queue).toBe('redis://cache:6379/2');
    expect(parseConfig(base.replace('.refeed/state.db', 'postgresql://db/refeed'), '/tmp/x/r.yaml', {}).site.state).toBe('postgresql://db/refeed');
    expect(parseConfig(base, '/tmp/x/r.yaml', {}).site.queue).toBeUndefined();
    for (const [state, message] of [
      ['mysql://db/refeed', /unsupported scheme "mysql:"/],
      ['postgres://user:secret-pw@db.internal:5432/', /names no database/],
      ['postgres://user:secret-pw@:5432/refeed', /names no host|not a valid/],
    ] as const) {
      const text = base.replace('.refeed/state.db', state);
      const p = problemsOf(text);
      expect(p, state).toHaveLength(1);
      expect(p[0]).toMatchObject({ path: 'site.state', line: lineContaining(text, state), message: expect.stringMatching(message) });
      expect(p[0].message).not.toContain('secret-pw');
    }
    const text = base.replace('  state: .refeed/state.db', '  state: .refeed/state.db\n  queue: http://cache:6379');
    expect(problemsOf(text)).toEqual([{ path: 'site.queue', line: lineContaining(text, 'queue:'), message: expect.stringMatching(/redis:\/\/ or rediss:\/\//) }]);
  });

  it('takes site.state and site.queue from REFEED_STATE and REFEED_QUEUE over the file', () => {
    const env = { REFEED_STATE: 'postgres://refeed@pg:5432/refeed', REFEED_QUEUE: 'rediss://cache:6380' };
    expect(parseConfig(base, '/tmp/x/refeed.yaml', env).site).toMatchObject({ state: env.REFEED_STATE, queue: env.REFEED_QUEUE });
    // A path in the environment is the working directory's, not the config file's.
    expect(parseConfig(base, '/tmp/x/refeed.yaml', { REFEED_STATE: 'state/here.db' }).site.state).toBe(path.resolve('state/here.db'));
    const e = thrownBy(ConfigError, () => parseConfig(base, '/tmp/x/refeed.yaml', { REFEED_STATE: 'postgres://u:secret-pw@pg', REFEED_QUEUE: 'redis://' }), 'the environment to be rejected');
    const problems = e.problems;
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['site.state', undefined],
      ['site.queue', undefined],
    ]);
    expect(problems[0].message).toMatch(/^\$REFEED_STATE: .*names no database/);
    expect(problems[1].message).toMatch(/^\$REFEED_QUEUE: /);
    expect(e.message).not.toContain('secret-pw');
  });

  it('loads the shipped configuration', () => {
    const c = loadConfig('config/refeed.yaml');
    expect(c.channels.length).toBeGreaterThan(0);
    expect(c.warnings).toEqual([]);
  });
});
