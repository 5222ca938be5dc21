import type { ChannelState } from '../../core/types.ts';
import type { ChannelFailure, ChannelInput, ChannelSuccess, ChannelSync } from '../types.ts';
import { articlePath, feedKeysOf, RULES_TO_JUDGE, slugsOf } from '../types.ts';
import { planSync, toChannelState as toState, type ChannelRow, type SyncPlan } from '../row-shapes.ts';
import { jsonRows, type Db } from './connection.ts';
import { LOCK, REFEED_LOCKS } from './schema.ts';

// Channel identity and fetch state, as ../sqlite/channels.ts (which says
// why): matched by key, then by URL; renamed channels take their articles
// along; removed ones are kept, hidden. Here every step is one statement
// over all the channels it touches.

/**
 * Channels change (sync, ensure) one transaction at a time; commits of
 * items may run together but not during a change, so the owners and keys a
 * commit reads stay true until it ends.
 */
export async function lockChannels(db: Db, mode: 'change' | 'use'): Promise<void> {
  const fn = mode === 'change' ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  await db.query(`SELECT ${fn}($1, $2)`, [REFEED_LOCKS, LOCK.channels]);
}

/** Marks feeds dirty, in key order so that concurrent transactions never wait on each other crosswise. */
export async function markDirty(db: Db, keys: Iterable<string>): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length) await db.query('INSERT INTO dirty_feeds (key) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT DO NOTHING', [sorted]);
}

export async function channelByKey(db: Db, key: string): Promise<ChannelState | undefined> {
  const { rows } = await db.query<ChannelRow>('SELECT * FROM channels WHERE key = $1', [key]);
  return rows[0] ? toState(rows[0]) : undefined;
}

/** Configured channels (removed ones are history only), with how many items each lists. */
export async function liveChannels(db: Db): Promise<ChannelState[]> {
  const { rows } = await db.query<ChannelRow>(
    'SELECT ch.*, (SELECT count(*) FROM entries e WHERE e.channel_id = ch.id) AS item_count FROM channels ch WHERE key IS NOT NULL ORDER BY key',
  );
  return rows.map(toState);
}

// A config URL edit wins over a remembered redirect and forgets the old validators.
const RESET_URL = `UPDATE channels ch SET config_url = u.url, url = u.url, etag = NULL, last_modified = NULL, disabled = false,
    consecutive_failures = 0, next_run_at = NULL
  FROM unnest($1::int[], $2::text[]) AS u(id, url) WHERE ch.id = u.id AND ch.config_url <> u.url`;

/** The channel, registered if new (for callers that skip syncing). Inside the caller's transaction. */
export async function ensureChannel(db: Db, key: string, url: string, now: number): Promise<ChannelState> {
  await lockChannels(db, 'change');
  const { rows } = await db.query<{ id: number }>('SELECT id FROM channels WHERE key = $1', [key]);
  if (rows[0]) await db.query(RESET_URL, [[rows[0].id], [url]]);
  else {
    const [g, s, c] = slugsOf(key);
    await db.query(
      `INSERT INTO channels (key, group_name, source_name, channel_name, config_url, url, created_at) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
      [key, g, s, c, url, now],
    );
  }
  return (await channelByKey(db, key))!;
}

export async function recordSuccess(db: Db, key: string, r: ChannelSuccess): Promise<void> {
  await db.query(
    `UPDATE channels SET last_fetch_at = $2, last_success_at = $2, last_status = $3, last_error = NULL,
       last_warning = CASE WHEN $3 = 'not-modified' THEN last_warning ELSE $4 END,
       consecutive_failures = 0, etag = coalesce($5, etag), last_modified = coalesce($6, last_modified),
       url = coalesce($7, url), next_run_at = $8, meta = coalesce($9, meta) WHERE key = $1`,
    [key, r.now, r.status, r.warning ?? null, r.etag ?? null, r.lastModified ?? null, r.movedTo ?? null, r.nextRunAt ?? null, r.meta ? JSON.stringify(r.meta) : null],
  );
}

export async function recordFailure(db: Db, key: string, r: ChannelFailure): Promise<void> {
  await db.query(
    `UPDATE channels SET last_fetch_at = $2, last_status = 'error', last_error = $3, consecutive_failures = consecutive_failures + 1,
       next_run_at = $4, disabled = disabled OR $5, last_success_at = CASE WHEN $6 THEN $7::bigint ELSE last_success_at END WHERE key = $1`,
    [key, r.now, r.error, r.nextRunAt ?? null, r.disable === true, r.lastSuccessAt !== undefined, r.lastSuccessAt ?? null],
  );
}

export async function setNextRun(db: Db, key: string, at: number | undefined): Promise<void> {
  await db.query('UPDATE channels SET next_run_at = $2 WHERE key = $1', [key, at ?? null]);
}

/** What sync would do; with `now`, carries it out (inside the caller's transaction). */
export async function syncChannels(db: Db, inputs: readonly ChannelInput[], now: number | undefined): Promise<ChannelSync> {
  const apply = now !== undefined;
  if (apply) await lockChannels(db, 'change');
  const rows = (await db.query<ChannelRow>('SELECT * FROM channels ORDER BY id')).rows;
  const plan = planSync(rows, inputs);
  const { matches, renamed } = plan;
  const result: ChannelSync = { channels: new Map(), added: plan.added.map((i) => i.key), renamed: [], removed: plan.gone.map((r) => r.key!) };
  if (renamed.length) {
    const counts = await db.query<{ owner_id: number; n: number }>(
      'SELECT owner_id, count(*) AS n FROM articles WHERE owner_id = ANY($1::int[]) GROUP BY owner_id',
      [renamed.map((r) => r.row.id)],
    );
    const n = new Map(counts.rows.map((r) => [r.owner_id, r.n]));
    result.renamed = renamed.map(({ row, input }) => ({ from: row.key!, to: input.key, articles: n.get(row.id) ?? 0 }));
  }
  if (apply) await applySync(db, plan, now);
  const ids = apply
    ? new Map((await db.query<ChannelRow>('SELECT * FROM channels WHERE key = ANY($1::text[])', [inputs.map((i) => i.key)])).rows.map((r) => [r.key!, r]))
    : new Map(matches.flatMap((m) => (m.row ? [[m.input.key, m.row] as const] : [])));
  for (const { input } of matches) {
    const row = ids.get(input.key);
    if (row) result.channels.set(input.key, { id: row.id, createdAt: row.created_at });
  }
  return result;
}

/** An owned article's new folder and names: its content is rendered again (content_hash ''), its old file removed then. */
interface ArticleMove {
  id: string;
  owner: number;
  categories: string;
  path: string;
  old_path: string | null;
}

async function applySync(db: Db, plan: SyncPlan, now: number): Promise<void> {
  const dirty = new Set<string>();
  const goneIds = plan.gone.map((r) => r.id);
  // Keys are released before any is taken: a renamed channel may take a removed one's key, or two may swap.
  if (goneIds.length) {
    await db.query('UPDATE channels SET key = NULL, removed_at = $2 WHERE id = ANY($1::int[])', [goneIds, now]);
    await db.query('UPDATE entries SET g = NULL, s = NULL, c = NULL WHERE channel_id = ANY($1::int[])', [goneIds]);
    for (const r of plan.gone) for (const k of feedKeysOf(slugsOf(r.key!)).slice(0, 3)) dirty.add(k);
  }
  if (plan.moves.length) {
    await db.query('UPDATE channels SET key = NULL WHERE id = ANY($1::int[])', [plan.moves.map((m) => m.row.id)]);
    await db.query(
      `UPDATE channels ch SET key = u.key, group_name = u.g, source_name = u.s, channel_name = u.c, removed_at = NULL
       FROM json_to_recordset($1) AS u(id int, key text, g text, s text, c text) WHERE ch.id = u.id`,
      [jsonRows(plan.moves.map((m) => ({ id: m.row.id, key: m.input.key, g: m.input.names[0], s: m.input.names[1], c: m.input.names[2] })))],
    );
  }
  const moving = plan.moves.filter((m) => m.moveFiles);
  if (moving.length) {
    const slugs = moving.map((m) => {
      const [g, s, c] = slugsOf(m.input.key);
      return { id: m.row.id, g, s, c };
    });
    await db.query(`UPDATE entries e SET g = u.g, s = u.s, c = u.c FROM json_to_recordset($1) AS u(id int, g text, s text, c text) WHERE e.channel_id = u.id`, [
      jsonRows(slugs),
    ]);
    for (const m of moving) for (const k of feedKeysOf(slugsOf(m.input.key))) dirty.add(k);
  }
  // The channels configured after this sync, as they will be.
  const live = new Map(plan.matches.flatMap((m) => (m.row ? [[m.row.id, m.input] as const] : [])));
  const articleMoves = await ownedArticleMoves(db, plan, live);
  for (const m of articleMoves) for (const k of feedKeysOf(slugsOf(live.get(m.owner)!.key))) dirty.add(k);
  if (articleMoves.length) {
    // Articles passed to another owner were judged by their former owner's rules: shown until the new owner's judge them (see RULES_TO_JUDGE).
    await db.query(
      `UPDATE channels SET rules = $2 WHERE rules <> '' AND id IN (
         SELECT u.owner FROM json_to_recordset($1) AS u(id text, owner int) JOIN articles a ON a.id = u.id WHERE a.owner_id <> u.owner)`,
      [jsonRows(articleMoves), RULES_TO_JUDGE],
    );
    await db.query(
      `UPDATE articles a SET owner_id = u.owner, categories = u.categories, path = u.path, old_path = coalesce(a.old_path, u.old_path), content_hash = '',
         hidden = CASE WHEN a.owner_id <> u.owner THEN false ELSE a.hidden END
       FROM json_to_recordset($1) AS u(id text, owner int, categories text, path text, old_path text) WHERE a.id = u.id`,
      [jsonRows(articleMoves)],
    );
  }
  if (plan.added.length) {
    // In configuration order, so ids (and so ownership of shared articles) follow it.
    await db.query(
      `INSERT INTO channels (key, group_name, source_name, channel_name, config_url, url, created_at)
       SELECT u.key, u.g, u.s, u.c, u.url, u.url, $2
       FROM ROWS FROM (json_to_recordset($1) AS (key text, g text, s text, c text, url text)) WITH ORDINALITY AS u(key, g, s, c, url, n)
       ORDER BY u.n`,
      [jsonRows(plan.added.map((i) => ({ key: i.key, g: i.names[0], s: i.names[1], c: i.names[2], url: i.url }))), now],
    );
  }
  const kept = plan.matches.filter((m) => m.row);
  if (kept.length) await db.query(RESET_URL, [kept.map((m) => m.row!.id), kept.map((m) => m.input.url)]);
  await markDirty(db, dirty);
}

/**
 * Where the articles of renamed and removed channels go: a renamed
 * channel's stay its own under its new folder and names; a removed one's
 * pass to the lowest-id channel still configured that lists them, if any
 * (else they stay, on disk, in no feed).
 */
async function ownedArticleMoves(db: Db, plan: SyncPlan, live: Map<number, ChannelInput>): Promise<ArticleMove[]> {
  const moving = new Set(plan.moves.filter((m) => m.moveFiles).map((m) => m.row.id));
  const owners = [...moving, ...plan.gone.map((r) => r.id)];
  if (!owners.length) return [];
  const { rows } = await db.query<{ id: string; path: string; owner_id: number; next: number | null }>(
    `SELECT a.id, a.path, a.owner_id,
       CASE WHEN a.owner_id = ANY($2::int[]) THEN a.owner_id
         ELSE (SELECT min(e.channel_id) FROM entries e WHERE e.article_id = a.id AND e.channel_id = ANY($3::int[])) END AS next
     FROM articles a WHERE a.owner_id = ANY($1::int[]) ORDER BY a.id`,
    [owners, [...moving], [...live.keys()]],
  );
  return rows.flatMap((a) => {
    const to = a.next === null ? undefined : live.get(a.next);
    if (!to) return [];
    const path = articlePath(slugsOf(to.key), a.id);
    return [{ id: a.id, owner: a.next!, categories: JSON.stringify(to.names), path, old_path: path === a.path ? null : a.path }];
  });
}
