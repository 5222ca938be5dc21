import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { ArticleContent } from '../core/types.ts';
import { createArticleRenderer, parseArticle } from '../normalize/index.ts';
import { sha1Hex } from '../normalize/text.ts';
import type { FileWrite, Store, WrittenArticleFile } from '../store/index.ts';
import type { AtomicWriter } from '../util/atomic-write.ts';
import { diskErrorOf, type DiskError } from '../util/disk-error.ts';

/** Removes the files of articles the rules hide (their place and previous place), only inside the output folder. */
function removeArticleFiles(output: string, files: readonly { path: string; oldPath?: string }[]): void {
  const root = path.resolve(output);
  for (const f of files) {
    for (const rel of [f.path, f.oldPath]) {
      if (!rel) continue;
      const file = path.resolve(root, rel);
      // A row is data, not a licence to delete anywhere.
      if (file.startsWith(root + path.sep)) rmSync(file, { force: true });
    }
  }
}

/** Removes an article's previous file once its new one is written (it moved to another folder). */
function removeOld(output: string, oldPath: string | undefined, newPath: string): void {
  if (oldPath && oldPath !== newPath) rmSync(path.join(output, oldPath), { force: true });
}

/**
 * Writes the files of what a commit stored (their text as prepared), then
 * records them written. A kill in between leaves the rows ahead of their
 * files; writePendingFiles catches up on the next run.
 */
export async function writeCommittedFiles(store: Store, output: string, files: readonly FileWrite[], texts: Map<string, string>, writer: AtomicWriter): Promise<void> {
  const written: WrittenArticleFile[] = [];
  const removed: string[] = [];
  const renderer = createArticleRenderer();
  try {
    for (const f of files) {
      if (f.hidden) {
        removeArticleFiles(output, [f]);
        removed.push(f.articleId);
        continue;
      }
      const text = texts.get(f.itemKey);
      if (text === undefined) continue;
      writer.write(path.join(output, f.path), renderer.stamp(text, { id: f.articleId, key: f.itemKey }));
      removeOld(output, f.oldPath, f.path);
      written.push({ id: f.articleId, contentHash: f.contentHash, expectHash: f.contentHash });
    }
  } finally {
    // Those written before a failure are recorded; the rest stay pending (writePendingFiles).
    if (written.length) await store.markFilesWritten(written);
    if (removed.length) await store.markFilesRemoved(removed);
  }
}

const BATCH = 500;

/**
 * Writes every article file that is behind its row: after a kill between a
 * commit and its files, after a channel's rename or removal moved its
 * articles (new categories, new folder), or for rows a queue worker
 * committed. Rendered from the store's copy. The ids written are added to
 * `written` when given.
 */
export async function writePendingFiles(store: Store, output: string, writer: AtomicWriter, log: Logger, written?: Set<string>): Promise<number> {
  return (await writePendingFilesChecked(store, output, writer, log, written)).written;
}

/**
 * writePendingFiles, saying whether the disk stopped it: after the first
 * disk fault (full, read-only…) no other file is tried, since every one
 * would fail alike and each would be one more log line. The files left stay
 * pending, for the next run.
 */
export async function writePendingFilesChecked(
  store: Store,
  output: string,
  writer: AtomicWriter,
  log: Logger,
  written?: Set<string>,
): Promise<{ written: number; fault?: DiskError }> {
  await removeHiddenFiles(store, output, log);
  let total = 0;
  let fault: DiskError | undefined;
  const tried = new Set<string>();
  const renderer = createArticleRenderer();
  for (;;) {
    // A row changed meanwhile stays pending: it is left for the next run rather than looped on.
    const pending = (await store.pendingFiles(BATCH + tried.size)).filter((p) => !tried.has(p.id));
    if (!pending.length) break;
    for (const p of pending) tried.add(p.id);
    const done: WrittenArticleFile[] = [];
    for (const p of pending) {
      const text = renderer.render(p.content);
      try {
        writer.write(path.join(output, p.path), renderer.stamp(text, { id: p.id, key: p.itemKey }));
        removeOld(output, p.oldPath, p.path);
        done.push({ id: p.id, contentHash: sha1Hex(text), expectHash: p.contentHash });
      } catch (err) {
        fault = diskErrorOf(err, path.join(output, p.path));
        if (fault) break;
        // One unwritable file (a folder in the way) must not stop the run: it stays pending.
        log.error({ err, path: p.path }, 'cannot write article file; it is retried on the next run');
      }
    }
    await store.markFilesWritten(done);
    total += done.length;
    for (const w of done) written?.add(w.id);
    if (fault || pending.length < BATCH) break;
  }
  if (total) log.info({ files: total }, 'article files brought up to date with the store');
  if (fault) {
    log.error({ code: 'disk', path: fault.path, errno: fault.code }, `${fault.message}: article files left pending; they are written once the disk takes them`);
  }
  return fault ? { written: total, fault } : { written: total };
}

/**
 * Removes the files of articles their channel's rules hide (a rule change,
 * or an ingest whose files were not written: a queue worker's, a killed
 * one's), then records them removed. One that cannot be removed is reported
 * and tried again on the next run.
 */
export async function removeHiddenFiles(store: Store, output: string, log: Logger): Promise<number> {
  let total = 0;
  const tried = new Set<string>();
  for (;;) {
    const hidden = (await store.hiddenFiles(BATCH + tried.size)).filter((h) => !tried.has(h.id));
    if (!hidden.length) break;
    const done: string[] = [];
    for (const h of hidden) {
      tried.add(h.id);
      try {
        removeArticleFiles(output, [h]);
        done.push(h.id);
      } catch (err) {
        log.warn({ err, path: h.path }, 'cannot remove the file of an article the rules hide; it is tried again on the next run');
      }
    }
    await store.markFilesRemoved(done);
    total += done.length;
    if (hidden.length < BATCH) break;
  }
  if (total) log.info({ files: total }, 'article files of items the rules hide removed');
  return total;
}

/**
 * Reads back, once, the content of articles whose row lacks it: a state from
 * refeed 0.1 kept bodies only in the article files, and the store is what is
 * published from now on. A file that cannot be read is reported and left for
 * the next run (the article is skipped by publishing until then).
 */
export async function readBackMissingContent(store: Store, output: string, log: Logger): Promise<number> {
  let total = 0;
  const tried = new Set<string>();
  for (;;) {
    const rows = (await store.articlesWithoutContent(BATCH + tried.size)).filter((r) => !tried.has(r.id));
    if (!rows.length) break;
    const got: [string, ArticleContent][] = [];
    for (const r of rows) {
      tried.add(r.id);
      try {
        got.push([r.id, parseArticle(readFileSync(path.join(output, r.path), 'utf8'))]);
      } catch (err) {
        log.warn({ path: r.path, reason: (err as Error).message }, 'article content not in the state and its file unreadable: left out of the feeds');
      }
    }
    await store.fillArticleContent(got);
    total += got.length;
    if (rows.length < BATCH) break;
  }
  if (total) log.info({ articles: total }, 'article content read back into the state from the files of an older refeed');
  return total;
}
