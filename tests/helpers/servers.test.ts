import { afterAll, describe, expect, it } from 'vitest';
import { redisPing, redisServer, serverOrSkip } from './servers.ts';

// The Redis the queue tests will use: the helper must hand out one that
// answers (REFEED_TEST_REDIS_URL in CI, else a redis-server of its own).

const redis = serverOrSkip('Redis', await redisServer());
afterAll(async () => redis?.stop());

describe.skipIf(!redis)('test servers', () => {
  it('gives a Redis that answers PING', async () => {
    expect(await redisPing(redis!.url)).toBe('+PONG');
  });
});
