import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { asDiskError } from './disk-error.ts';

/**
 * Replaces files so that a reader (or a kill -9) only ever sees the old
 * bytes or the new ones: write a temp file in the same folder, then rename
 * over the target. Temp names start with `.tmp-` so the server hides them.
 *
 * One writer per run: an ingest writes thousands of files into a few hundred
 * folders, and a recursive mkdir per file costs a syscall per path segment,
 * so the writer remembers the folders it made or found (a folder removed
 * meanwhile shows up as ENOENT on open, and is then made again). Temp names
 * need no randomness per file: the pid and a random per-writer prefix keep
 * writers apart, the counter keeps files apart.
 */
export class AtomicWriter {
  private readonly knownDirs = new Set<string>();
  private readonly tmpPrefix = randomBytes(4).toString('hex');
  private tmpCounter = 0;

  /**
   * Writes `file` atomically.
   * A disk fault (full, read-only, no permission) throws a DiskError naming `file`.
   */
  write(file: string, data: string | Buffer): void {
    try {
      this.writeSync(file, data);
    } catch (err) {
      throw asDiskError(err, file);
    }
  }

  private writeSync(file: string, data: string | Buffer): void {
    const dir = path.dirname(file);
    this.ensureDir(dir);
    const tmp = this.tmpNameFor(file);
    let fd: number;
    try {
      fd = openSync(tmp, 'w');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.knownDirs.delete(dir);
      this.ensureDir(dir);
      fd = openSync(tmp, 'w');
    }
    try {
      try {
        writeFileSync(fd, data);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  /**
   * write() on libuv's thread pool: the open, write and rename run off the
   * main thread, so a run writing thousands of files keeps rendering (or
   * parsing) while the kernel copies bytes.
   */
  async writeAsync(file: string, data: string | Buffer): Promise<void> {
    try {
      await this.writeOffThread(file, data);
    } catch (err) {
      throw asDiskError(err, file);
    }
  }

  private async writeOffThread(file: string, data: string | Buffer): Promise<void> {
    const dir = path.dirname(file);
    await this.ensureDirAsync(dir);
    const tmp = this.tmpNameFor(file);
    let handle;
    try {
      handle = await open(tmp, 'w');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.knownDirs.delete(dir);
      await this.ensureDirAsync(dir);
      handle = await open(tmp, 'w');
    }
    try {
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Writes only when the bytes differ, so unchanged outputs keep their mtime
   * (and servers their ETags). Returns whether the file was written.
   */
  async writeIfChanged(file: string, data: Buffer): Promise<boolean> {
    try {
      const current = await readFile(file);
      if (current.equals(data)) return false;
    } catch {
      // missing or unreadable: write it
    }
    await this.writeAsync(file, data);
    return true;
  }

  private ensureDir(dir: string): void {
    if (this.knownDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.knownDirs.add(dir);
  }

  private async ensureDirAsync(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.knownDirs.add(dir);
  }

  private tmpNameFor(file: string): string {
    return path.join(path.dirname(file), `.tmp-${path.basename(file)}-${process.pid}-${this.tmpPrefix}${(this.tmpCounter++).toString(36)}`);
  }
}

/** One atomic write (see AtomicWriter), for callers writing a single file. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  new AtomicWriter().write(file, data);
}

/** The writer's pid in a temp file's name (see tmpNameFor): `.tmp-<name>-<pid>-<8 hex><counter>`. */
const TEMP_NAME = /-(\d+)-[0-9a-f]{8}[0-9a-z]+$/;

/** Temp files a killed writer left behind are this old before anyone may delete them. */
export const STALE_TEMP_MS = 60 * 60_000;

/**
 * Deletes `.tmp-*` files under `root` older than `olderThanMs`: what a kill -9
 * between a temp write and its rename leaves. Younger ones may belong to a
 * writer still running, so they stay, except those whose writer `isGone`
 * (temp names carry the writer's pid), removed whatever their age.
 * Returns how many were removed; never throws.
 */
export function sweepTempFiles(root: string, opts: { olderThanMs?: number; now?: number; isGone?: (pid: number) => boolean } = {}): number {
  const { olderThanMs = STALE_TEMP_MS, now = Date.now(), isGone } = opts;
  const writerOf = (name: string) => TEMP_NAME.exec(name)?.[1];
  let removed = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && e.name.startsWith('.tmp-')) {
        try {
          const writer = isGone && writerOf(e.name);
          if ((writer && isGone(Number(writer))) || now - statSync(full).mtimeMs > olderThanMs) {
            rmSync(full, { force: true });
            removed++;
          }
        } catch {
          // gone already, or not ours to remove: leave it
        }
      }
    }
  };
  walk(root);
  return removed;
}
