import { existsSync } from 'node:fs';
import childProcess from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLOW_TESTS } from '../vitest.fast.config.ts';
import { installFastGuard } from './helpers/fast-guard.ts';

// `npm run test:fast` must not run a test that starts a process or a server:
// its setup file makes those fail, naming SLOW_TESTS.

const ROOT = path.resolve(import.meta.dirname, '..');

describe('test:fast', () => {
  it('lists only test files that exist', () => {
    expect(SLOW_TESTS.filter((f) => !existsSync(path.join(ROOT, f)))).toEqual([]);
  });

  it('fails a test that starts a process, starts a server or connects to one', async () => {
    const uninstall = installFastGuard();
    try {
      const esm = await import('node:child_process');
      expect(() => esm.spawnSync(process.execPath, ['-e', '0'])).toThrow(/child_process.spawnSync.*SLOW_TESTS/);
      expect(() => childProcess.execFile(process.execPath, ['-e', '0'])).toThrow(/SLOW_TESTS/);
      expect(() => net.createServer().listen(0, '127.0.0.1')).toThrow(/starts a server.*SLOW_TESTS/);
      expect(() => net.connect(9, '127.0.0.1')).toThrow(/connects to a server.*SLOW_TESTS/);
    } finally {
      uninstall();
    }
  });
});
