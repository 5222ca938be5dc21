import type Database from 'better-sqlite3';
import type { LatestEntry } from '../../core/types.ts';
import type { LedgerEntry } from '../types.ts';

interface LedgerRow {
  key: string;
  spec_hash: string;
  rows_hash: string;
  latest: string | null;
}

function toEntry(r: LedgerRow): LedgerEntry {
  const e: LedgerEntry = { specHash: r.spec_hash, rowsHash: r.rows_hash };
  if (r.latest) {
    try {
      e.latest = JSON.parse(r.latest) as LatestEntry[];
    } catch {
      // unreadable: index.html queries the feed instead
    }
  }
  return e;
}

/**
 * The publisher's memory, one row per published feed, in the state database
 * (so it is updated in the same transaction that clears the feeds' dirty
 * flags). Losing it only costs one full rebuild.
 */
export class PublishLedger {
  private readonly setStmt;
  private readonly allStmt;

  constructor(db: Database.Database) {
    this.allStmt = db.prepare<[], LedgerRow>('SELECT * FROM published_feeds');
    this.setStmt = db.prepare(
      `INSERT INTO published_feeds (key, spec_hash, rows_hash, latest) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET spec_hash = excluded.spec_hash, rows_hash = excluded.rows_hash, latest = excluded.latest`,
    );
  }

  /** Every entry, by feed key: one query instead of one per feed. */
  all(): Map<string, LedgerEntry> {
    return new Map(this.allStmt.all().map((r) => [r.key, toEntry(r)]));
  }

  set(key: string, e: LedgerEntry): void {
    this.setStmt.run(key, e.specHash, e.rowsHash, e.latest ? JSON.stringify(e.latest) : null);
  }
}
