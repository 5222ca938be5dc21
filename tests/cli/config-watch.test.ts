import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchConfigFile, type ConfigWatch } from '../../src/cli/config-watch.ts';

// The daemon's configuration watch (run.ts reloads on what it reports): it
// follows the saves people and tools make — in place, by rename (`sources
// add`, most editors), and through a symlink (a file kept elsewhere, a
// Kubernetes ConfigMap swapping its `..data` link) — and hands over the
// settled content.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchConfigFile', () => {
  let dir: string;
  let watch: ConfigWatch | undefined;
  afterEach(() => {
    watch?.close();
    watch = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts watching `file`; the contents reported, in order. */
  function watching(file: string): string[] {
    const seen: string[] = [];
    watch = watchConfigFile(file, (text) => seen.push(text), 100);
    return seen;
  }

  async function until(cond: () => boolean, what: string): Promise<void> {
    for (let t = Date.now(); Date.now() - t < 5000; await sleep(50)) if (cond()) return;
    throw new Error(`timed out: ${what}`);
  }

  it('reports a write in place and a save by rename, each once, with the new content', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-watch-unit-'));
    const file = path.join(dir, 'refeed.yaml');
    writeFileSync(file, 'a: 1\n');
    const seen = watching(file);
    writeFileSync(file, 'a: 2\n');
    await until(() => seen.length === 1, 'the write reported');
    writeFileSync(path.join(dir, '.tmp-refeed.yaml'), 'a: 3\n');
    renameSync(path.join(dir, '.tmp-refeed.yaml'), file);
    await until(() => seen.length === 2, 'the rename reported');
    // Other files in the folder (the state database beside it) are not the configuration.
    writeFileSync(path.join(dir, 'state.db'), 'x');
    await sleep(400);
    expect(seen).toEqual(['a: 2\n', 'a: 3\n']);
  });

  it('follows a symlinked file edited where it lives', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-watch-unit-'));
    mkdirSync(path.join(dir, 'etc'));
    mkdirSync(path.join(dir, 'srv'));
    const target = path.join(dir, 'srv', 'real.yaml');
    writeFileSync(target, 'a: 1\n');
    const file = path.join(dir, 'etc', 'refeed.yaml');
    symlinkSync(target, file);
    const seen = watching(file);
    writeFileSync(target, 'a: 2\n');
    await until(() => seen.length === 1, 'the edit of the link target reported');
    expect(seen).toEqual(['a: 2\n']);
  });

  it('follows a ConfigMap-style update: the ..data link swapped to a new folder', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-watch-unit-'));
    const v1 = path.join(dir, '..2024_01');
    mkdirSync(v1);
    writeFileSync(path.join(v1, 'refeed.yaml'), 'a: 1\n');
    symlinkSync('..2024_01', path.join(dir, '..data'));
    const file = path.join(dir, 'refeed.yaml');
    symlinkSync('..data/refeed.yaml', file);
    const seen = watching(file);
    const v2 = path.join(dir, '..2024_02');
    mkdirSync(v2);
    writeFileSync(path.join(v2, 'refeed.yaml'), 'a: 2\n');
    symlinkSync('..2024_02', path.join(dir, '..data_tmp'));
    renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    await until(() => seen.length === 1, 'the swap reported');
    expect(seen).toEqual(['a: 2\n']);
  });
});
