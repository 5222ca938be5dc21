import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { Command } from '../../src/cli/command.ts';
import { runCommand } from '../../src/cli/commands/run.ts';
import { serveCommand } from '../../src/cli/commands/serve.ts';

// A SIGTERM or SIGINT that arrives while a daemon is still starting (its
// first publish of a big site takes seconds) aborts the command's signal
// before the daemon waits on it: the daemon must then stop as soon as it is
// up, not wait for a second signal (systemd sends one, then SIGKILL).

let dir: string;
let config: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-stop-early-'));
  config = path.join(dir, 'refeed.yaml');
  writeFileSync(config, ['site:', '  title: stop early', `  output: ${path.join(dir, 'out')}`, `  state: ${path.join(dir, 'state.db')}`, 'groups: []', ''].join('\n'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command's exit code, run with a signal already aborted; 'still running' if it has not returned within 20 s (a hang). */
async function runStopped(command: Command, args: Record<string, string | boolean>): Promise<number | 'still running'> {
  const controller = new AbortController();
  controller.abort();
  const action = await command.load();
  const done = action({ values: { config, ...args }, positionals: [], logger: silentLogger, out: () => undefined, err: () => undefined, signal: controller.signal });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), 20_000)));
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a daemon told to stop while starting', () => {
  it('run stops once started, exit 0', async () => {
    expect(await runStopped(runCommand, { 'no-serve': true })).toBe(0);
  }, 40_000);

  it('serve stops once listening, exit 0', async () => {
    expect(await runStopped(serveCommand, { port: '0' })).toBe(0);
  }, 40_000);
});
