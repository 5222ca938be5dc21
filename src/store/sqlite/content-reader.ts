import Database from 'better-sqlite3';
import type { CachedArticleContent } from '../types.ts';
import { CONTENT_SQL, contentRows } from './feeds.ts';

/**
 * A read-only view of the store's cached article content, for worker threads
 * (each opens its own connection; WAL lets them read while the main thread writes).
 */
export class ContentReader {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.stmt = this.db.prepare(CONTENT_SQL);
  }

  articleContent(ids: readonly string[]): Map<string, CachedArticleContent> {
    return contentRows(this.stmt as Parameters<typeof contentRows>[0], ids);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
