import type { StateDb } from '../store/state-db.ts';

/** What was last published for a feed. */
export interface LedgerEntry {
  /** specHash of the configuration inputs it was built from. */
  specHash: string;
  /** rowsHash of the article rows it was built from. */
  rowsHash: string;
}

/**
 * The publisher's memory, one row per published feed, in its own table of
 * the state database (so it is updated in the same transaction that clears
 * the feeds' dirty flags). Losing it only costs one full rebuild.
 */
export class PublishLedger {
  private readonly getStmt;
  private readonly setStmt;
  private readonly allStmt;

  constructor(private readonly state: StateDb) {
    state.db.exec('CREATE TABLE IF NOT EXISTS published_feeds (key TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, rows_hash TEXT NOT NULL)');
    this.getStmt = state.db.prepare<[string], { spec_hash: string; rows_hash: string }>('SELECT spec_hash, rows_hash FROM published_feeds WHERE key = ?');
    this.allStmt = state.db.prepare<[], { key: string; spec_hash: string; rows_hash: string }>('SELECT key, spec_hash, rows_hash FROM published_feeds');
    this.setStmt = state.db.prepare(
      'INSERT INTO published_feeds (key, spec_hash, rows_hash) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET spec_hash = excluded.spec_hash, rows_hash = excluded.rows_hash',
    );
  }

  get(key: string): LedgerEntry | undefined {
    const r = this.getStmt.get(key);
    return r ? { specHash: r.spec_hash, rowsHash: r.rows_hash } : undefined;
  }

  /** Every entry, by feed key: one query instead of one per feed. */
  all(): Map<string, LedgerEntry> {
    return new Map(this.allStmt.all().map((r) => [r.key, { specHash: r.spec_hash, rowsHash: r.rows_hash }]));
  }

  set(key: string, e: LedgerEntry): void {
    this.setStmt.run(key, e.specHash, e.rowsHash);
  }
}
