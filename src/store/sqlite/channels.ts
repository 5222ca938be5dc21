import type Database from 'better-sqlite3';
import type { ChannelState } from '../../core/types.ts';
import type { ChannelFailure, ChannelInput, ChannelSuccess, ChannelSync } from '../types.ts';
import { articlePath, feedKeysOf, RULES_TO_JUDGE, slugsOf } from '../types.ts';
import { planSync, toChannelState as toState, type ChannelRow } from '../row-shapes.ts';

/**
 * Channel identity and fetch state. A channel's identity is its row id: the
 * configuration is matched to rows by key (slug path), then by URL, so a
 * renamed channel (new name or slug, same URL) or a moved one (new URL, same
 * name) keeps its history; only a change of both at once makes a new channel.
 */
export class ChannelRepo {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      byKey: db.prepare<[string], ChannelRow>('SELECT * FROM channels WHERE key = ?'),
      all: db.prepare<[], ChannelRow>('SELECT * FROM channels ORDER BY id'),
      live: db.prepare<[], ChannelRow>(
        'SELECT ch.*, (SELECT count(*) FROM entries e WHERE e.channel_id = ch.id) AS item_count FROM channels ch WHERE key IS NOT NULL ORDER BY key',
      ),
      insert: db.prepare(
        `INSERT INTO channels (key, group_name, source_name, channel_name, config_url, url, created_at) VALUES (@key, @g, @s, @c, @url, @url, @now)`,
      ),
      rekey: db.prepare('UPDATE channels SET key = @key, group_name = @g, source_name = @s, channel_name = @c, removed_at = NULL WHERE id = @id'),
      unkey: db.prepare('UPDATE channels SET key = NULL, removed_at = @now WHERE id = @id'),
      release: db.prepare('UPDATE channels SET key = NULL WHERE id = @id'),
      // A config URL edit wins over a remembered redirect and forgets the old validators.
      resetUrl: db.prepare(
        `UPDATE channels SET config_url = @url, url = @url, etag = NULL, last_modified = NULL, disabled = 0, consecutive_failures = 0,
           next_run_at = NULL WHERE id = @id AND config_url <> @url`,
      ),
      entrySlugs: db.prepare('UPDATE entries SET g = @g, s = @s, c = @c WHERE channel_id = @id'),
      hideEntries: db.prepare('UPDATE entries SET g = NULL, s = NULL, c = NULL WHERE channel_id = @id'),
      owned: db.prepare<[number], { id: string; path: string }>('SELECT id, path FROM articles WHERE owner_id = ?'),
      countOwned: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM articles WHERE owner_id = ?'),
      // The owned articles get the new names and folder; their files are rewritten by the next run (content_hash '' is never a file's).
      moveOwned: db.prepare(`UPDATE articles SET categories = @categories, path = @path, old_path = coalesce(old_path, @oldPath), content_hash = '' WHERE id = @id`),
      nextOwner: db.prepare<[string, number], ChannelRow>(
        `SELECT ch.* FROM entries e JOIN channels ch ON ch.id = e.channel_id WHERE e.article_id = ? AND ch.key IS NOT NULL AND ch.id <> ? ORDER BY ch.id LIMIT 1`,
      ),
      // Judged by its former owner's rules, it is shown until its new owner's judge it (see RULES_TO_JUDGE).
      setOwner: db.prepare('UPDATE articles SET owner_id = ?, hidden = 0 WHERE id = ?'),
      toJudge: db.prepare("UPDATE channels SET rules = ? WHERE id = ? AND rules <> ''"),
      markDirty: db.prepare('INSERT INTO dirty_feeds (key) VALUES (?) ON CONFLICT DO NOTHING'),
      success: db.prepare(
        `UPDATE channels SET last_fetch_at = @now, last_success_at = @now, last_status = @status, last_error = NULL,
           last_warning = CASE WHEN @status = 'not-modified' THEN last_warning ELSE @warning END,
           consecutive_failures = 0, etag = coalesce(@etag, etag), last_modified = coalesce(@lastModified, last_modified),
           url = coalesce(@movedTo, url), next_run_at = @nextRunAt, meta = coalesce(@meta, meta) WHERE key = @key`,
      ),
      failure: db.prepare(
        `UPDATE channels SET last_fetch_at = @now, last_status = 'error', last_error = @error,
           last_success_at = CASE WHEN @resetSuccess THEN @lastSuccessAt ELSE last_success_at END,
           consecutive_failures = consecutive_failures + 1, next_run_at = @nextRunAt, disabled = max(disabled, @disable) WHERE key = @key`,
      ),
      setNextRun: db.prepare('UPDATE channels SET next_run_at = ? WHERE key = ?'),
    };
  }

  get(key: string): ChannelState | undefined {
    const row = this.s.byKey.get(key);
    return row ? toState(row) : undefined;
  }

  /** Configured channels (removed ones are history only), with how many items each lists. */
  list(): ChannelState[] {
    return this.s.live.all().map(toState);
  }

  /** The channel, registered if new (for callers that skip syncing, like one-off tools). */
  ensure(key: string, url: string, now: number): ChannelState {
    const row = this.s.byKey.get(key);
    if (!row) {
      const [g, s, c] = slugsOf(key);
      this.s.insert.run({ key, g, s, c, url, now });
    } else this.s.resetUrl.run({ id: row.id, url });
    return this.get(key)!;
  }

  recordSuccess(key: string, r: ChannelSuccess): void {
    this.s.success.run({
      key,
      now: r.now,
      status: r.status,
      warning: r.warning ?? null,
      etag: r.etag ?? null,
      lastModified: r.lastModified ?? null,
      movedTo: r.movedTo ?? null,
      nextRunAt: r.nextRunAt ?? null,
      meta: r.meta ? JSON.stringify(r.meta) : null,
    });
  }

  recordFailure(key: string, r: ChannelFailure): void {
    const resetSuccess = r.lastSuccessAt !== undefined;
    this.s.failure.run({ key, now: r.now, error: r.error, nextRunAt: r.nextRunAt ?? null, disable: r.disable ? 1 : 0, resetSuccess: resetSuccess ? 1 : 0, lastSuccessAt: r.lastSuccessAt ?? null });
  }

  setNextRun(key: string, at: number | undefined): void {
    this.s.setNextRun.run(at ?? null, key);
  }

  /** What sync would do; `apply` carries it out (inside the caller's transaction). */
  sync(inputs: readonly ChannelInput[], now: number, apply: boolean): ChannelSync {
    const { matches, added, gone, moves, renamed } = planSync(this.s.all.all(), inputs);
    const result: ChannelSync = {
      channels: new Map(),
      added: added.map((i) => i.key),
      renamed: renamed.map(({ row, input }) => ({ from: row.key!, to: input.key, articles: this.s.countOwned.get(row.id)!.n })),
      removed: gone.map((r) => r.key!),
    };
    if (apply) {
      // Keys are released before any is taken: a renamed channel may take a removed one's key, or two may swap.
      for (const r of gone) this.remove(r, now);
      for (const m of moves) this.s.release.run({ id: m.row.id });
      for (const m of moves) this.rekey(m.row, m.input, m.moveFiles);
      for (const { input, row } of matches) {
        if (!row) this.s.insert.run({ key: input.key, g: input.names[0], s: input.names[1], c: input.names[2], url: input.url, now });
        else this.s.resetUrl.run({ id: row.id, url: input.url });
      }
    }
    for (const { input, row } of matches) {
      const current = apply ? this.s.byKey.get(input.key) : row;
      if (current) result.channels.set(input.key, { id: current.id, createdAt: current.created_at });
    }
    return result;
  }

  private rekey(row: ChannelRow, input: ChannelInput, moveFiles: boolean): void {
    const [g, s, c] = slugsOf(input.key);
    this.s.rekey.run({ id: row.id, key: input.key, g: input.names[0], s: input.names[1], c: input.names[2] });
    if (!moveFiles) return;
    this.s.entrySlugs.run({ id: row.id, g, s, c });
    for (const k of feedKeysOf([g, s, c])) this.s.markDirty.run(k);
    const categories = JSON.stringify(input.names);
    for (const a of this.s.owned.all(row.id)) {
      const path = articlePath([g, s], a.id);
      this.s.moveOwned.run({ id: a.id, categories, path, oldPath: path === a.path ? null : a.path });
    }
  }

  /** A channel no longer configured: kept as history; its articles pass to the next channel listing them, if any. */
  private remove(row: ChannelRow, now: number): void {
    const [g, s] = slugsOf(row.key!);
    for (const k of feedKeysOf([g, s, '']).slice(0, 3)) this.s.markDirty.run(k);
    this.s.unkey.run({ id: row.id, now });
    this.s.hideEntries.run({ id: row.id });
    for (const a of this.s.owned.all(row.id)) {
      const next = this.s.nextOwner.get(a.id, row.id);
      if (!next) continue; // listed by no configured channel: kept on disk, in no feed
      this.s.setOwner.run(next.id, a.id);
      this.s.toJudge.run(RULES_TO_JUDGE, next.id);
      const path = articlePath(slugsOf(next.key!), a.id);
      this.s.moveOwned.run({ id: a.id, categories: JSON.stringify([next.group_name, next.source_name, next.channel_name]), path, oldPath: path === a.path ? null : a.path });
      for (const k of feedKeysOf(slugsOf(next.key!))) this.s.markDirty.run(k);
    }
  }
}
