import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRefeed, type RefeedProcess } from '../helpers/refeed-process.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { freePort, postgresServer, redisServer, serverOrSkip, TestDatabases, type TestServer as Server } from '../helpers/servers.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';

// Servers out of reach never make a daemon exit (a supervisor would restart
// it into a crash loop): it says which server, never with the password,
// retries with backoff, and carries on when the server is back.

const pgServer = serverOrSkip('PostgreSQL', await postgresServer());
const databases = pgServer && new TestDatabases(pgServer.url, 'refeed_away');
const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link><item><title>One</title><link>https://a.example/1</link></item></channel></rss>`;

describe('queue daemons and their servers', () => {
  let upstream: TestServer;
  let dir: string;
  let config: string;
  const procs: RefeedProcess[] = [];

  beforeAll(async () => {
    upstream = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED));
    config = writeTempConfig(oneSourceYaml([`{ name: C, url: "${upstream.url}/feed.xml" }`], 'schedule: "*/2 * * * * *"'), 'refeed-away-');
    dir = path.dirname(config);
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await upstream?.close();
    await databases?.dropAll();
    await pgServer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (args: string[], env: Record<string, string>) => {
    const p = startRefeed([...args, '--config', config], { REFEED_LOG_LEVEL: 'info', ...env });
    procs.push(p);
    return p;
  };
  const stop = async (p: RefeedProcess) => {
    p.child.kill('SIGTERM');
    return (await p.exited).code;
  };

  it('refuses to start a worker without a queue, and --workers without one', async () => {
    const worker = start(['worker'], {});
    expect((await worker.exited).code).toBe(2);
    expect(worker.stderr()).toMatch(/no queue configured: set site\.queue/);
    const run = start(['run', '--workers', '0', '--no-serve'], {});
    expect((await run.exited).code).toBe(64);
    expect(run.stderr()).toMatch(/--workers needs site\.queue/);
  });

  it.skipIf(!pgServer)('a worker waits for a queue server it cannot reach, naming it without the password', async () => {
    const port = await freePort();
    const p = start(['worker'], { REFEED_STATE: await databases!.create(), REFEED_QUEUE: `redis://refeed:pw-not-shown@127.0.0.1:${port}/2` });
    await p.waitFor(new RegExp(`queue server 127\\.0\\.0\\.1:${port}/2 unreachable: [^"]*ECONNREFUSED[^"]*; retrying with backoff`));
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.child.exitCode).toBeNull();
    expect(await stop(p)).toBe(0);
    expect(p.stderr() + p.stdout()).not.toContain('pw-not-shown');
  });

  it('a worker waits for a state server it cannot reach, naming it without the password', async () => {
    const port = await freePort();
    const p = start(['worker'], { REFEED_STATE: `postgres://refeed:pw-not-shown@127.0.0.1:${port}/refeed`, REFEED_QUEUE: 'redis://127.0.0.1:1' });
    await p.waitFor(new RegExp(`cannot use the state database 127\\.0\\.0\\.1:${port}/refeed: [^"]*; retrying in 2 s`), 30_000);
    expect(p.child.exitCode).toBeNull();
    expect(await stop(p)).toBe(0);
    expect(p.stderr() + p.stdout()).not.toContain('pw-not-shown');
  });

  it.skipIf(!pgServer)('run keeps serving while its Redis is away, and puts the schedules back when it returns empty', async () => {
    const first = await redisServer({ own: true });
    const redis = serverOrSkip('Redis', first);
    if (!redis) return;
    const port = Number(new URL(redis.url).port);
    let again: Server | undefined;
    try {
      const p = start(['run', '--workers', '1', '--port', '0'], { REFEED_STATE: await databases!.create(), REFEED_QUEUE: redis.url });
      const base = (await p.waitFor(/serving (http:\/\/127\.0\.0\.1:\d+\/)/))[1];
      await eventually(() => upstream.requests.length > 0, 15_000, 'a first fetch');
      await redis.stop();
      await p.waitFor(new RegExp(`queue server 127\\.0\\.0\\.1:${port}/0 unreachable`), 10_000);
      expect((await fetch(new URL('healthz', base))).status).toBe(200);
      again = serverOrSkip('Redis', await redisServer({ own: true, port }));
      await p.waitFor(/"msg":"queue server [^"]* reachable again"/, 40_000);
      // The new server is empty: the schedule comes back from the run process, and fetching resumes.
      await p.waitFor(/"why":"the queue server is back","upserted":1/, 10_000);
      const before = upstream.requests.length;
      await eventually(() => upstream.requests.length > before, 15_000, 'a fetch after the server came back');
      expect(await stop(p)).toBe(0);
    } finally {
      await again?.stop();
    }
  }, 90_000);
});
