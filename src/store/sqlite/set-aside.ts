import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * When the SQLite file cannot be read whole (damaged pages, not a database),
 * moves it and its WAL aside (`<file>.corrupt-<time>`) so that a rebuild
 * starts from an empty one, and returns where it went. Nothing is deleted:
 * the damaged copy stays for whoever wants to look at it.
 */
export function setAsideIfCorrupt(file: string, now = Date.now()): string | undefined {
  if (!existsSync(file)) return undefined;
  let problem: string | undefined;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const result = db.pragma('quick_check', { simple: true });
      if (result !== 'ok') problem = String(result);
    } finally {
      db.close();
    }
  } catch (err) {
    problem = (err as Error).message;
  }
  if (problem === undefined) return undefined;
  const aside = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return aside;
}
