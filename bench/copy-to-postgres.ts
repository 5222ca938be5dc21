import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres/store.ts';

// Untimed setup for the PostgreSQL publish row: the padded SQLite store,
// copied table by table into a fresh PostgreSQL database (the schema made by
// PostgresStore.open, as refeed makes it), so both engines publish the same
// articles with the same stored feed fragments.

const TABLES = ['channels', 'articles', 'entries', 'item_fragments', 'dirty_feeds', 'published_feeds'] as const;
const BATCH = 2000;

export async function copyToPostgres(sqliteFile: string, url: string): Promise<Record<string, number>> {
  await (await PostgresStore.open(url)).close();
  const lite = new Database(sqliteFile, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const counts: Record<string, number> = {};
  try {
    await client.query('BEGIN');
    for (const table of TABLES) {
      // Generated columns (entries.seq) are PostgreSQL's own: left to it, in SQLite's rowid order.
      const pgCols = new Set(
        (
          await client.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER' AND identity_generation IS DISTINCT FROM 'ALWAYS'`, [
            table,
          ])
        ).rows.map((r) => r.column_name),
      );
      const cols = (lite.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name).filter((c) => pgCols.has(c));
      const types = new Map(
        (await client.query<{ column_name: string; udt_name: string }>('SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = $1', [table])).rows.map((r) => [r.column_name, r.udt_name]),
      );
      const stmt = lite.prepare(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY rowid`);
      let batch: Record<string, unknown>[] = [];
      counts[table] = 0;
      const flush = async () => {
        if (!batch.length) return;
        const arrays = cols.map((c) => batch.map((r) => (types.get(c) === 'bool' ? r[c] === 1 : r[c])));
        const casts = cols.map((c, i) => `$${i + 1}::${types.get(c)}[]`);
        await client.query(`INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`, arrays);
        counts[table] += batch.length;
        batch = [];
      };
      for (const row of stmt.iterate() as Iterable<Record<string, unknown>>) {
        batch.push(row);
        if (batch.length === BATCH) await flush();
      }
      await flush();
    }
    // Identity columns continue after the copied ids.
    await client.query(`SELECT setval(pg_get_serial_sequence('channels', 'id'), (SELECT coalesce(max(id), 1) FROM channels))`);
    await client.query(`SELECT setval(pg_get_serial_sequence('item_fragments', 'id'), (SELECT coalesce(max(id), 1) FROM item_fragments))`);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
    lite.close();
  }
  return counts;
}
