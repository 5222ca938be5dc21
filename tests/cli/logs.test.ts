import { Writable } from 'node:stream';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { oneLineErrors, PRETTY_OPTIONS } from '../../src/core/log.ts';
import { publish } from '../../src/publish/index.ts';
import { fixtureFactory } from '../publish/fixture.ts';

// Issue 15: a person at a terminal reads one line per event, and the logs
// never say "published" when nothing changed.

function collector(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logs', () => {
  it('are one line per event on a terminal, nested fields included', async () => {
    const out = collector();
    // As createLogger makes it on a TTY, with the output captured.
    const logger = pino({ level: 'info', formatters: { log: oneLineErrors } }, pinoPretty({ ...PRETTY_OPTIONS, colorize: false, sync: true, destination: out.stream }));
    logger.info({ channel: 'tech/hn/front', removed: ['a', 'b'], detail: { ms: 20_000 } }, 'fetch failed');
    logger.error({ err: Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }) }, 'publish failed');
    logger.warn({ from: 'x', to: 'y' }, 'channel renamed');
    expect(out.lines()).toHaveLength(3);
    expect(out.lines()[1]).toMatch(/ERROR: publish failed \{"reason":"Error \(SQLITE_BUSY\): database is locked"\}$/);
    expect(out.lines()[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: fetch failed \{.*"channel":"tech\/hn\/front".*\}$/);
    expect(out.lines()[0]).not.toMatch(/pid|hostname/);
  });

  const fresh = fixtureFactory();

  it('say "published" when files changed, and nothing at info level when a publish had nothing to do', async () => {
    const f = await fresh();
    const out = collector();
    const logger = pino({ level: 'info' }, out.stream);
    await publish(f.config, f.state, { logger });
    expect(out.lines().filter((l) => JSON.parse(l).msg === 'published')).toHaveLength(1);
    const before = out.lines().length;
    const again = await publish(f.config, f.state, { logger });
    expect(again.written).toEqual([]);
    expect(out.lines().slice(before)).toEqual([]);
  });
});
