import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ArticleRecord, CachedArticleContent } from '../store/index.ts';

/** Where an article's content comes from: the store's copy, its file, or nowhere (skipped, with the reason). */
export type ArticleSource =
  | { kind: 'cached'; content: CachedArticleContent }
  | { kind: 'file'; file: string; stat: Stats }
  | { kind: 'skip'; reason: string; missing?: boolean };

/**
 * The store's copy of an article when it is the file's (same mtime and size:
 * the file was not edited since it was written), else the file to parse.
 * Shared by the publisher and its render workers so both decide alike.
 */
export function articleSource(output: string, row: Pick<ArticleRecord, 'path'>, cached: CachedArticleContent | undefined): ArticleSource {
  const file = path.resolve(output, row.path);
  if (!file.startsWith(output + path.sep)) return { kind: 'skip', reason: 'path outside the output folder' };
  let stat: Stats | undefined;
  try {
    stat = statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    return { kind: 'skip', reason: (err as Error).message };
  }
  if (!stat) return { kind: 'skip', reason: 'file missing (deleted?)', missing: true };
  if (cached && cached.fileMtimeMs === stat.mtimeMs && cached.fileSize === stat.size) return { kind: 'cached', content: cached };
  return { kind: 'file', file, stat };
}
