import type Database from 'better-sqlite3';
import type { FullTextEntry } from '../types.ts';
import { toFullTextEntry, type FullTextRow } from '../row-shapes.ts';

/** The full-text cache (see Store.fullTextEntries). */
export class FullTextRepo {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      get: db.prepare<[string], FullTextRow>('SELECT link, mode, html, image, error, failures, at FROM full_text WHERE link IN (SELECT value FROM json_each(?))'),
      prune: db.prepare<[number]>('DELETE FROM full_text WHERE at < ? AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.link = full_text.link)'),
      put: db.prepare(
        `INSERT INTO full_text (link, mode, html, image, error, failures, at) VALUES (@link, @mode, @html, @image, @error, @failures, @at)
         ON CONFLICT (link) DO UPDATE SET mode = excluded.mode, html = excluded.html, image = excluded.image, error = excluded.error,
           failures = excluded.failures, at = excluded.at`,
      ),
    };
  }

  entries(links: readonly string[]): Map<string, FullTextEntry> {
    if (!links.length) return new Map();
    return new Map(this.s.get.all(JSON.stringify(links)).map((r) => [r.link, toFullTextEntry(r)]));
  }

  prune(before: number): number {
    return this.s.prune.run(before).changes;
  }

  save(entries: readonly FullTextEntry[]): void {
    for (const e of entries) {
      this.s.put.run({ link: e.link, mode: e.mode, html: e.html ?? null, image: e.image ?? null, error: e.error ?? null, failures: e.failures, at: e.at });
    }
  }
}
