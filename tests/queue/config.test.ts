import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type ConfigEnv } from '../../src/config/index.ts';
import { queueServer } from '../../src/queue/redis.ts';
import { thrownBy } from '../helpers/thrown.ts';

// What the configuration says about a queue: it needs a PostgreSQL state
// (the workers on other machines share it), it may carry a key prefix, and
// how messages name its server (never with the password).

const config = (site: string) => `
site:
  output: feeds
${site}
groups:
  - name: G
    sources:
      - name: S
        channels:
          - { name: C, url: "https://example.org/feed.xml" }
`;

const problemsOf = (text: string, env: ConfigEnv = {}) => thrownBy(ConfigError, () => parseConfig(text, '/tmp/x/refeed.yaml', env), 'the config to be rejected').problems;

describe('site.queue', () => {
  it('is an error beside a SQLite state, on the line that sets it or naming $REFEED_QUEUE', () => {
    const text = config('  state: .refeed/state.db\n  queue: redis://cache:6379');
    expect(problemsOf(text)).toEqual([{ path: 'site.queue', line: 5, message: expect.stringMatching(/needs a postgres:\/\/ site\.state/) }]);
    const env = problemsOf(config('  state: .refeed/state.db'), { REFEED_QUEUE: 'redis://cache:6379' });
    expect(env).toEqual([{ path: 'site.queue', message: expect.stringMatching(/^\$REFEED_QUEUE: a queue needs a postgres:\/\/ site\.state/) }]);
  });

  it('is accepted with a PostgreSQL state from the file or the environment', () => {
    expect(parseConfig(config('  state: postgres://db/refeed\n  queue: redis://cache:6379/1'), '/tmp/x/refeed.yaml', {}).site.queue).toBe('redis://cache:6379/1');
    const env = { REFEED_STATE: 'postgres://db/refeed', REFEED_QUEUE: 'rediss://cache:6380' };
    expect(parseConfig(config('  state: .refeed/state.db'), '/tmp/x/refeed.yaml', env).site.queue).toBe('rediss://cache:6380');
  });

  it('takes a key prefix as ?prefix= and refuses any other parameter', () => {
    const ok = parseConfig(config('  state: postgres://db/refeed\n  queue: "redis://cache:6379/0?prefix=refeed-staging"'), '/tmp/x/refeed.yaml', {});
    expect(queueServer(ok.site.queue!).prefix).toBe('refeed-staging');
    for (const [url, message] of [
      ['redis://cache:6379?family=6', /only \?prefix=NAME/],
      ['redis://cache:6379?prefix=a%20b', /prefix must be/],
    ] as const) {
      expect(problemsOf(config(`  state: postgres://db/refeed\n  queue: "${url}"`))).toEqual([{ path: 'site.queue', line: 5, message: expect.stringMatching(message) }]);
    }
  });

  it('names its server as host:port/db, with the password kept out of the name but passed to the connection', () => {
    const s = queueServer('redis://refeed:s%40cret@cache.internal:6380/3');
    expect(s.name).toBe('cache.internal:6380/3');
    expect(s.prefix).toBe('refeed');
    expect(s.options).toMatchObject({ host: 'cache.internal', port: 6380, db: 3, username: 'refeed', password: 's@cret' });
    expect(s.options.tls).toBeUndefined();
    const tls = queueServer('rediss://cache');
    expect(tls.name).toBe('cache:6379/0');
    expect(tls.options.tls).toEqual({ servername: 'cache' });
  });
});
