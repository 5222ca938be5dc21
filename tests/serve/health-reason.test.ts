import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateCorruptError, StoreUnavailableError } from '../../src/store/errors.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { postgresServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';
import { startFeedServer } from './harness.ts';

// Issue 20: during a PostgreSQL outage /healthz answered 503 with no reason.
// Every 503 of /healthz now says why, without passwords or local paths.

const root = mkdtempSync(path.join(os.tmpdir(), 'refeed-health-'));

async function healthz(health: () => Promise<never>): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const h = await startFeedServer(root, { health });
  try {
    const r = await fetch(`${h.base}/healthz`);
    return { status: r.status, body: (await r.json()) as { status: string; reason?: string } };
  } finally {
    await h.close();
  }
}

describe('/healthz says why it answers 503', () => {
  it('names the state server that cannot be reached', async () => {
    const r = await healthz(async () => {
      throw new StoreUnavailableError('db.internal:5432/refeed', 'connect ECONNREFUSED 10.0.0.5:5432');
    });
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'error', error: 'health check failed', reason: 'cannot use the state database db.internal:5432/refeed: connect ECONNREFUSED 10.0.0.5:5432' });
  });

  it('says the state is corrupt and how to fix it, without the local path', async () => {
    const r = await healthz(async () => {
      throw new StateCorruptError('/srv/secret/state.db', 'file is not a database');
    });
    expect(r.status).toBe(503);
    expect(r.body.reason).toBe('the state database is corrupt (file is not a database); run `refeed reindex` to rebuild it from the article files');
    expect(JSON.stringify(r.body)).not.toContain('/srv/secret');
  });

  it('names an unexpected error by its code or type only', async () => {
    const busy = Object.assign(new Error('database is locked at /srv/secret/state.db'), { code: 'SQLITE_BUSY' });
    const r = await healthz(async () => {
      throw busy;
    });
    expect(r.status).toBe(503);
    expect(r.body.reason).toBe('the state could not be read (SQLITE_BUSY); see the log');
    const other = await healthz(async () => {
      throw new TypeError('x is undefined in /srv/secret/file.js');
    });
    expect(other.body.reason).toBe('the state could not be read (TypeError); see the log');
  });
});

const server = serverOrSkip('PostgreSQL', await postgresServer());
const databases = server && new TestDatabases(server.url, 'refeed_health');
afterAll(async () => {
  await databases?.dropAll();
  await server?.stop();
});

describe.runIf(server)('/healthz during a PostgreSQL outage', () => {
  it('answers 503 naming the server and what failed, then 200 once it is back', async () => {
    const url = new URL(await databases!.create());
    // The outage is a proxy that stops forwarding: the server itself (perhaps CI's) keeps running.
    const upstream = { host: url.hostname, port: Number(url.port || 5432) };
    const sockets = new Set<net.Socket>();
    let down = false;
    const proxy = net.createServer((client) => {
      if (down) return void client.destroy();
      const up = net.connect(upstream);
      sockets.add(client).add(up);
      client.pipe(up).pipe(client);
      for (const s of [client, up]) s.on('error', () => undefined).on('close', () => void (client.destroy(), up.destroy()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((proxy.address() as net.AddressInfo).port);
    const store = await PostgresStore.open(proxied.toString());
    const h = await startFeedServer(root, {
      health: async () => ({ status: 'ok', channels: (await store.channelStates()).map((s) => ({ key: s.key, status: 'ok', consecutiveFailures: 0, disabled: false })) }),
    });
    try {
      expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
      down = true;
      for (const s of sockets) s.destroy();
      const r = await fetch(`${h.base}/healthz`);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { reason: string };
      expect(body.reason).toMatch(new RegExp(`^cannot use the state database 127\\.0\\.0\\.1:${proxied.port}/${url.pathname.slice(1)}: `));
      down = false;
      expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
    } finally {
      await h.close();
      await store.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  }, 60_000);
});
