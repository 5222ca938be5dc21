import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { syncChannels } from '../../src/ingest/index.ts';
import { FETCH_QUEUE } from '../../src/queue/jobs.ts';
import { closeQueueConnection, connectQueue, queueServer } from '../../src/queue/redis.ts';
import { checkSchedules, syncSchedules } from '../../src/queue/schedules.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { postgresServer, redisServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';

// The `run` process's job schedulers against a real Redis and PostgreSQL:
// one per enabled channel keyed by its stable id, so a rename updates it;
// removed channels' schedulers go; unchanged ones are not touched again;
// channels never fetched get one due job each, however often it is asked.

const pgServer = serverOrSkip('PostgreSQL', await postgresServer());
const redis = serverOrSkip('Redis', await redisServer());
const databases = pgServer && new TestDatabases(pgServer.url, 'refeed_sched');

const configOf = (channels: string) =>
  parseConfig(
    `site: { output: out, state: postgres://x/y, queue: "redis://x", concurrency: 5 }\ndefaults: { schedule: "*/30 * * * *" }\ngroups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n${channels}`,
    '/tmp/refeed-sched/refeed.yaml',
    {},
  );

describe.skipIf(!pgServer || !redis)('fetch job schedulers', () => {
  let store: PostgresStore;
  let client: Redis;
  let queue: Queue;
  let prefix: string;

  beforeAll(async () => {
    store = await PostgresStore.open(await databases!.create());
    const server = queueServer(`${redis!.url}?prefix=refeed-sched-${process.pid}-${Date.now()}`);
    client = await connectQueue(server, silentLogger, 'test');
    prefix = server.prefix;
    queue = new Queue(FETCH_QUEUE, { connection: client, prefix });
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    if (client) await closeQueueConnection(client);
    await store?.close();
    await databases?.dropAll();
    await Promise.all([pgServer?.stop(), redis?.stop()]);
  });

  const sync = async (config: ReturnType<typeof configOf>) => {
    await syncChannels(config, store, Date.now(), silentLogger);
    return syncSchedules(queue, config, store, silentLogger, { tz: 'UTC' });
  };
  const schedulers = async () =>
    new Map((await queue.getJobSchedulers(0, -1, true)).map((s) => [s.key, { pattern: s.pattern, key: (s.template?.data as { key: string } | undefined)?.key }]));

  it('keeps one scheduler per enabled channel, by stable id, and follows renames, removals and new schedules', async () => {
    const first = configOf(
      `          - { name: a, url: "https://a.example/feed" }\n          - { name: b, url: "https://b.example/feed" }\n          - { name: off, url: "https://c.example/feed", enabled: false }\n`,
    );
    expect(await sync(first)).toEqual({ upserted: 2, removed: 0, due: 2, failed: 0 });
    const ids = new Map((await store.channelStates()).map((s) => [s.key, s.id]));
    expect(await schedulers()).toEqual(
      new Map([
        [`channel:${ids.get('g/s/a')}`, { pattern: '*/30 * * * *', key: 'g/s/a' }],
        [`channel:${ids.get('g/s/b')}`, { pattern: '*/30 * * * *', key: 'g/s/b' }],
      ]),
    );
    expect(await queue.getGlobalConcurrency()).toBe(5);
    expect((await queue.getJobCounts('wait')).wait).toBe(2);

    // Nothing changed: no upsert; the due jobs asked for again are the same jobs.
    expect((await sync(first)).upserted).toBe(0);
    expect((await queue.getJobCounts('wait')).wait).toBe(2);

    // b renamed (same URL: same channel id), a removed, a new schedule for the renamed one.
    const second = configOf(`          - { name: bee, url: "https://b.example/feed", schedule: "*/5 * * * * *" }\n`);
    const r = await sync(second);
    expect(r).toMatchObject({ upserted: 1, removed: 1, failed: 0 });
    expect(await schedulers()).toEqual(new Map([[`channel:${ids.get('g/s/b')}`, { pattern: '*/5 * * * * *', key: 'g/s/bee' }]]));
  });

  it('checks cheaply between syncs: an overdue scheduler is put back, a missing one asks for a full sync', async () => {
    const config = configOf(`          - { name: bee, url: "https://b.example/feed", schedule: "*/5 * * * * *" }\n`);
    expect(await checkSchedules(queue, config, silentLogger)).toBe(0);
    // A chain broken an hour ago (its job taken, the next one never queued): its next time stays in the past.
    const id = `channel:${(await store.channelStates())[0].id}`;
    const job = `repeat:${id}:${(await queue.getJobScheduler(id))!.next}`;
    await client.zrem(`${prefix}:${FETCH_QUEUE}:delayed`, job);
    await client.del(`${prefix}:${FETCH_QUEUE}:${job}`);
    await client.zadd(`${prefix}:${FETCH_QUEUE}:repeat`, Date.now() - 3_600_000, id);
    expect(await checkSchedules(queue, config, silentLogger)).toBe(1);
    expect((await queue.getJobScheduler(id))!.next).toBeGreaterThan(Date.now() - 5000);
    await queue.removeJobScheduler(id);
    expect(await checkSchedules(queue, config, silentLogger)).toBe('full');
  });
});
