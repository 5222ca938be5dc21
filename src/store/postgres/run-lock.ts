import os from 'node:os';
import pg from 'pg';
import type { RunLock, RunLockRequest } from '../types.ts';
import { CONNECT_DEFAULTS, storeError } from './connection.ts';
import { LOCK, REFEED_LOCKS } from './schema.ts';

// The run lock is a session advisory lock on a connection of its own, held
// until release. The server frees it when that session ends, so a process
// that dies (kill -9, a lost container) never leaves it taken. The session's
// application_name says who holds it, so a waiting process can tell.

/** application_name is at most 63 bytes of printable ASCII. */
function applicationName(what: string): string {
  return `${what} (pid ${process.pid} on ${os.hostname()})`.replace(/[^\x20-\x7e]/g, '?').slice(0, 63);
}

/** Who holds the lock: the holder's application_name and server process. */
async function holderOf(client: pg.Client): Promise<string | undefined> {
  const { rows } = await client.query<{ application_name: string | null; pid: number }>(
    `SELECT a.application_name, l.pid FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [REFEED_LOCKS, LOCK.run],
  );
  const r = rows[0];
  return r && `${r.application_name || 'a refeed process'}, server process ${r.pid}`;
}

export type HeldLock = RunLock & { acquired: true };

/** Takes the run lock of the database at `url`, polling up to `waitMs` while another session holds it. */
export async function acquireRunLock(url: string, opts: RunLockRequest & { pollMs?: number }, onRelease: (l: HeldLock) => void): Promise<RunLock> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName(opts.what), connectionTimeoutMillis: CONNECT_DEFAULTS.connectTimeoutMs });
  // The session dropping is the lock being lost: nothing to do but not crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const deadline = Date.now() + opts.waitMs;
    for (let first = true; ; first = false) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [REFEED_LOCKS, LOCK.run]);
      if (rows[0].ok) return held(client, onRelease);
      // Said at once: a silent wait looks like a hang.
      if (first && opts.waitMs > 0 && opts.onWait) opts.onWait((await holderOf(client)) ?? 'another refeed process');
      if (Date.now() >= deadline) {
        // Undefined when it was freed just now, or the server hides other sessions from us.
        const holder = (await holderOf(client)) ?? 'another refeed process';
        await client.end();
        return { acquired: false, holder };
      }
      await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 250, Math.max(1, deadline - Date.now()))));
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw storeError(err, url);
  }
}

function held(client: pg.Client, onRelease: (l: HeldLock) => void): HeldLock {
  let released = false;
  const lock: HeldLock = {
    acquired: true,
    // A session's advisory lock goes with the session: a killed run leaves no trace here.
    previous: { ended: 'unknown' },
    release: async () => {
      if (released) return;
      released = true;
      onRelease(lock);
      try {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [REFEED_LOCKS, LOCK.run]);
      } catch {
        // the session is gone, and the lock with it
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
  return lock;
}
