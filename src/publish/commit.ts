import type { LedgerEntry } from '../store/ledger.ts';
import type { StateDb } from '../store/state-db.ts';
import { INDEX_KEY, latestEntries, OPML_KEY, type IndexOutcome } from './index-files.ts';
import { rowsHash, type TopRows } from './rows.ts';
import type { SitePlan } from './site-plan.ts';
import type { PublishedFeed } from './work.ts';

/**
 * Records what was published and clears dirty flags in one write transaction.
 * A flag is cleared only if the feed's rows are still the ones it was built
 * from: an ingest that ran meanwhile (another process) keeps its feeds dirty.
 */
export function commitPublish(
  plan: SitePlan,
  state: StateDb,
  input: { ledger: Map<string, LedgerEntry>; dirty: Set<string>; published: readonly PublishedFeed[]; index: IndexOutcome; topRows: TopRows },
): void {
  const { ledger, dirty, published, index } = input;
  const ok = (o: { error?: string } | undefined) => (o === undefined ? undefined : o.error === undefined);
  state.db
    .transaction(() => {
      const clear: string[] = [];
      for (const p of published) {
        const prev = ledger.get(p.spec.key);
        const latest = latestEntries(p.spec, p.rows) ?? index.backfill.get(p.spec.key);
        if (prev?.specHash !== p.specHash || prev.rowsHash !== p.rowsHash || (!prev.latest && latest)) {
          state.ledger.set(p.spec.key, { specHash: p.specHash, rowsHash: p.rowsHash, latest });
        }
        if (dirty.has(p.spec.key) && rowsHash(input.topRows(p.spec.key, p.spec.limit)) === p.rowsHash) clear.push(p.spec.key);
      }
      const planned = new Set(plan.specs.map((s) => s.key));
      for (const key of dirty) if (!planned.has(key)) clear.push(key); // removed from the config: left alone
      const republished = new Set(published.map((p) => p.spec.key));
      for (const [key, entries] of index.backfill) {
        const prev = ledger.get(key);
        if (prev && !republished.has(key)) state.ledger.set(key, { ...prev, latest: entries });
      }
      const indexOk = ok(index.html);
      const opmlOk = ok(index.opml);
      if (indexOk !== undefined) state.ledger.set(INDEX_KEY, { specHash: indexOk ? plan.indexHash : 'failed', rowsHash: '' });
      if (opmlOk !== undefined) state.ledger.set(OPML_KEY, { specHash: opmlOk ? plan.indexHash : 'failed', rowsHash: '' });
      state.clearDirty(clear);
    })
    .immediate();
}
