import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Replaces `file` with `data` so that a reader (or a kill -9) only ever sees
 * the old bytes or the new ones: write a temp file in the same folder, then
 * rename over the target. Temp names start with `.tmp-` so the server hides them.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${path.basename(file)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes only when the bytes differ, so unchanged outputs keep their mtime
 * (and servers their ETags). Returns whether the file was written.
 */
export function writeFileIfChanged(file: string, data: string | Buffer): boolean {
  const next = typeof data === 'string' ? Buffer.from(data) : data;
  try {
    const current = readFileSync(file);
    if (current.equals(next)) return false;
  } catch {
    // missing or unreadable: write it
  }
  writeFileAtomic(file, next);
  return true;
}
