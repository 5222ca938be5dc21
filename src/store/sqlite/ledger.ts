import type Database from 'better-sqlite3';
import { ledgerRow, toLedgerEntry, type LedgerRow } from '../row-shapes.ts';
import type { LedgerEntry } from '../types.ts';

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
    this.setStmt = db.prepare<[LedgerRow]>(
      `INSERT INTO published_feeds (key, spec_hash, rows_hash, latest) VALUES (@key, @spec_hash, @rows_hash, @latest)
       ON CONFLICT(key) DO UPDATE SET spec_hash = excluded.spec_hash, rows_hash = excluded.rows_hash, latest = excluded.latest`,
    );
  }

  /** Every entry, by feed key: one query instead of one per feed. */
  all(): Map<string, LedgerEntry> {
    return new Map(this.allStmt.all().map((r) => [r.key, toLedgerEntry(r)]));
  }

  set(key: string, e: LedgerEntry): void {
    this.setStmt.run(ledgerRow(key, e));
  }
}
