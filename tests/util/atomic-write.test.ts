import { mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicWriter, STALE_TEMP_MS, sweepTempFiles, writeFileAtomic } from '../../src/util/atomic-write.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'refeed-atomic-'));

describe('atomic writes', () => {
  it('replaces files whole and leaves no temp files', () => {
    const dir = tmp();
    const f = path.join(dir, 'a', 'b.xml');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two');
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(path.dirname(f))).toEqual(['b.xml']);
  });

  it('does not rewrite identical bytes', async () => {
    const f = path.join(tmp(), 'x.txt');
    writeFileSync(f, 'same');
    expect(await new AtomicWriter().writeIfChanged(f, Buffer.from('same'))).toBe(false);
    expect(await new AtomicWriter().writeIfChanged(f, Buffer.from('other'))).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('other');
  });

  it('sweeps temp files a killed writer left, but only stale ones', () => {
    const root = tmp();
    mkdirSync(path.join(root, 'articles/g/s'), { recursive: true });
    const stale = [path.join(root, '.tmp-rss.xml-1-a'), path.join(root, 'articles/g/s/.tmp-x.md-2-b')];
    const keep = [path.join(root, '.tmp-atom.xml-3-c'), path.join(root, 'rss.xml'), path.join(root, 'articles/g/s/x.md')];
    for (const f of [...stale, ...keep]) writeFileSync(f, 'x');
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    for (const f of stale) utimesSync(f, old, old);
    expect(sweepTempFiles(root)).toBe(2);
    expect(readdirSync(root).sort()).toEqual(['.tmp-atom.xml-3-c', 'articles', 'rss.xml']);
    expect(readdirSync(path.join(root, 'articles/g/s'))).toEqual(['x.md']);
    expect(sweepTempFiles(path.join(root, 'missing'))).toBe(0);
  });

  it("removes a dead writer's temp files however young, and only its own", () => {
    const root = tmp();
    const dead = [path.join(root, '.tmp-rss.xml-4242-0a1b2c3d0'), path.join(root, '.tmp-x-4242-y.md-4242-0a1b2c3d1z')];
    // Another pid, and a name that merely contains the dead one's.
    const other = [path.join(root, '.tmp-rss.xml-42420-0a1b2c3d0'), path.join(root, '.tmp-x-4242-y.md-77-0a1b2c3d0')];
    for (const f of [...dead, ...other]) writeFileSync(f, 'x');
    expect(sweepTempFiles(root, { isGone: (pid) => pid === 4242 })).toBe(2);
    expect(readdirSync(root).sort()).toEqual(other.map((f) => path.basename(f)).sort());
  });
});

describe('disk faults (issue 20: a full disk was reported as a refeed bug)', () => {
  it('turns the errno of a refused write into a DiskError naming the file', async () => {
    const { DiskError, diskErrorOf, stateDiskErrorOf } = await import('../../src/util/disk-error.ts');
    const errno = (code: string) => Object.assign(new Error(`${code}: something, open '/out/.tmp-x'`), { code });
    const cases: [string, string][] = [
      ['ENOSPC', 'no space left on device writing /out/rss.xml'],
      ['EDQUOT', 'disk quota exceeded writing /out/rss.xml'],
      ['EROFS', 'read-only file system writing /out/rss.xml'],
      ['EACCES', 'permission denied writing /out/rss.xml'],
    ];
    for (const [code, message] of cases) {
      const e = diskErrorOf(errno(code), '/out/rss.xml');
      expect(e).toBeInstanceOf(DiskError);
      expect(e?.message).toBe(message);
      expect(e?.code).toBe(code);
    }
    expect(diskErrorOf(errno('ENOENT'), '/out/rss.xml')).toBeUndefined();
    expect(diskErrorOf(new Error('no code'), '/out/rss.xml')).toBeUndefined();
    // SQLite's codes only where the state is written; SQLITE_READONLY_DBMOVED (a replaced file) is no disk fault.
    expect(stateDiskErrorOf(errno('SQLITE_FULL'), '/var/state.db')?.message).toBe('no space left on device writing /var/state.db');
    expect(stateDiskErrorOf(errno('SQLITE_READONLY_DBMOVED'), '/var/state.db')).toBeUndefined();
    expect(stateDiskErrorOf(errno('ENOSPC'), '/var/state.db')).toBeUndefined();
  });
});
