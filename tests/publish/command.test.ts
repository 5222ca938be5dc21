import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publishCommand } from '../../src/cli/commands/publish.ts';
import type { CommandContext } from '../../src/cli/command.ts';
import { silentLogger } from '../../src/core/log.ts';
import { KEYS, setup, type Fixture } from './fixture.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function prepared(): Promise<Fixture> {
  const f = await setup();
  await f.state.close(); // the command opens the state itself
  dirs.push(f.dir);
  return f;
}

async function run(values: CommandContext['values']) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await (await publishCommand.load())({
    values,
    positionals: [],
    logger: silentLogger,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

describe('refeed publish', () => {
  it('publishes, prints a one-line summary on stderr (nothing on stdout) and exits 0', async () => {
    const f = await prepared();
    const first = await run({ config: f.file });
    expect(first.code).toBe(0);
    expect(first.out).toEqual([]);
    // 10 feeds × 3 formats, index.html, index.opml and categories.opml
    expect(first.err).toEqual(['refeed publish: 10 feeds rebuilt of 10, 33 files written, 0 unchanged']);
    expect(existsSync(path.join(f.output, 'index.html'))).toBe(true);
    const second = await run({ config: f.file });
    expect(second.err).toEqual(['refeed publish: 0 feeds rebuilt of 10, 0 files written, 0 unchanged']);
    const full = await run({ config: f.file, full: true });
    expect(full.err).toEqual(['refeed publish: 10 feeds rebuilt of 10, 0 files written, 33 unchanged']);
  });

  it('exits 1 when a file cannot be written, naming it', async () => {
    const f = await prepared();
    mkdirSync(path.join(f.output, 'tech/hn'), { recursive: true });
    writeFileSync(path.join(f.output, KEYS.best), 'in the way');
    const r = await run({ config: f.file });
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/3 files NOT written \(tech\/hn\/best\/rss\.xml: /);
  });

  it('exits 2 on a bad config', async () => {
    const f = await prepared();
    writeFileSync(f.file, 'site:\n  titel: typo\n');
    const r = await run({ config: f.file });
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/invalid configuration/);
  });
});
