import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../core/log.ts';

// The queue's Redis server: connection options from site.queue, how
// messages name it (host:port/db, never the password), and one connection
// per process that never gives up. A server that is down, unknown or
// refuses our password is retried with backoff for as long as the process
// lives: a daemon waits for its queue, it does not exit (a supervisor
// restarting it would only make a crash loop of it).

export interface QueueServer {
  /** host:port/db, as messages name the server. */
  name: string;
  /** What refeed's queue keys start with (`?prefix=`, default `refeed`). */
  prefix: string;
  options: RedisOptions;
}

/** site.queue (checked by the configuration: redis:// or rediss://, a database number, ?prefix=) as connection options. */
export function queueServer(url: string): QueueServer {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(u.port || 6379);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
  return { name: `${host}:${port}/${db}`, prefix: u.searchParams.get('prefix') || 'refeed', options };
}

/** 1 s after the first failed attempt, doubling, at most 30 s apart. */
const reconnectDelayMs = (attempt: number) => Math.min(1000 * 2 ** Math.max(0, attempt - 1), 30_000);

// Errors that are about reaching the server: the connection's own log says them once.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const CONNECTION_MESSAGE = /WRONGPASS|NOAUTH|Connection is closed|connect E[A-Z]+|getaddrinfo|Stream isn't writeable|Reached the max retries/i;

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return CONNECTION_CODES.has(String(e?.code ?? '')) || CONNECTION_MESSAGE.test(String(e?.message ?? ''));
}

/** How often a server that stays unreachable is reported again. */
const REPEAT_MS = 60_000;

/**
 * A connection to the queue server (ioredis, loaded only by the processes
 * that use a queue). Commands wait while it is down rather than fail, and it
 * reconnects by itself; failures are logged once, then once a minute while
 * they last, and its return is logged too.
 */
export async function connectQueue(server: QueueServer, log: Logger, role: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis({
    ...server.options,
    connectionName: `refeed-${role}`,
    // BullMQ's workers block on the connection: a command must wait for the server, never give up.
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelayMs,
  });
  let failing: { message: string; loggedAt: number } | undefined;
  client.on('error', (err: Error) => {
    // Only the message: the error object carries the connection options, password included.
    const message = err.message;
    const now = Date.now();
    if (failing && failing.message === message && now - failing.loggedAt < REPEAT_MS) return;
    failing = { message, loggedAt: now };
    log.error({ queue: server.name }, `queue server ${server.name} unreachable: ${message}; retrying with backoff (up to 30 s apart)`);
  });
  client.on('ready', () => {
    if (failing) log.info({ queue: server.name }, `queue server ${server.name} reachable again`);
    failing = undefined;
  });
  return client;
}

/** Closes a connection: politely when the server is there, at once when it is not (QUIT would wait for it). */
export async function closeQueueConnection(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
