import type { LedgerEntry, PublishCommit, Store } from '../store/index.ts';
import { INDEX_KEY, latestEntries, OPML_KEY, type IndexOutcome } from './index-files.ts';
import type { SitePlan } from './site-plan.ts';
import type { PublishedFeed } from './work.ts';

/**
 * Records what was published and clears dirty flags in one write transaction.
 * A flag is cleared only if the feed's rows are still the ones it was built
 * from: an ingest that ran meanwhile (another process) keeps its feeds dirty.
 */
export async function commitPublish(
  plan: SitePlan,
  store: Store,
  input: { ledger: Map<string, LedgerEntry>; dirty: Set<string>; published: readonly PublishedFeed[]; index: IndexOutcome },
): Promise<void> {
  const { ledger, dirty, published, index } = input;
  const commit: PublishCommit = { ledger: [], clearIfUnchanged: [], clear: [] };
  for (const p of published) {
    const prev = ledger.get(p.spec.key);
    const latest = latestEntries(p.spec, p.rows) ?? index.backfill.get(p.spec.key);
    if (prev?.specHash !== p.specHash || prev.rowsHash !== p.rowsHash || (!prev.latest && latest)) {
      commit.ledger.push([p.spec.key, { specHash: p.specHash, rowsHash: p.rowsHash, latest }]);
    }
    // The store compares its own newest rows: a feed with rules gives their hash, not that of the rows it shows.
    if (dirty.has(p.spec.key)) commit.clearIfUnchanged.push({ key: p.spec.key, limit: p.spec.limit, rowsHash: p.storeHash ?? p.rowsHash });
  }
  const planned = new Set(plan.specs.map((s) => s.key));
  for (const key of dirty) if (!planned.has(key)) commit.clear.push(key); // removed from the config: left alone
  const republished = new Set(published.map((p) => p.spec.key));
  for (const [key, entries] of index.backfill) {
    const prev = ledger.get(key);
    if (prev && !republished.has(key)) commit.ledger.push([key, { ...prev, latest: entries }]);
  }
  const ok = (o: { error?: string } | undefined) => (o === undefined ? undefined : o.error === undefined);
  const indexOk = ok(index.html);
  const opmlOk = index.opml && ok(index.opml) && (ok(index.categories) ?? true);
  if (indexOk !== undefined) commit.ledger.push([INDEX_KEY, { specHash: indexOk ? plan.indexHash : 'failed', rowsHash: indexOk ? (index.stamp ?? '') : '' }]);
  if (opmlOk !== undefined) commit.ledger.push([OPML_KEY, { specHash: opmlOk ? plan.indexHash : 'failed', rowsHash: '' }]);
  await store.commitPublish(commit);
}
