import pg from 'pg';
import { StoreUnavailableError } from '../errors.ts';
import { describeServer } from './describe.ts';

export { describeServer };

// Connecting to the server, transactions, and turning the driver's errors
// into the store's: a server that is down or refuses us is a
// StoreUnavailableError naming host:port/database, never the password.

export type Db = Pick<pg.PoolClient, 'query'>;

export interface ConnectOptions {
  /** Connection attempts before giving up (a server starting with the containers comes up a little later). */
  attempts?: number;
  /** The wait after the first failed attempt; doubled after each. */
  retryDelayMs?: number;
  /** How long one attempt may take (a host that drops packets never refuses). */
  connectTimeoutMs?: number;
}

/** 4 attempts, 0.5 + 1 + 2 s apart: about 4 s for a refused connection, 16 s at most for a silent host. */
export const CONNECT_DEFAULTS: Required<ConnectOptions> = { attempts: 4, retryDelayMs: 500, connectTimeoutMs: 3000 };

// Epoch milliseconds and counts are bigint columns: read them as numbers (exact below 2^53).
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, Number);

// Errors that mean "the server is not there (yet)": worth another attempt.
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
// Errors that mean "the server is there but will not have us": no point retrying.
const REFUSED = new Set(['ENOTFOUND', '28000', '28P01', '3D000', '42501']);

function codeOf(err: unknown): string {
  return String((err as { code?: unknown }).code ?? '');
}

function isTransient(err: unknown): boolean {
  const code = codeOf(err);
  if (TRANSIENT.has(code) || code.startsWith('08')) return true;
  return /connection terminated|connection timeout|timeout expired|server closed the connection/i.test((err as Error)?.message ?? '');
}

/** Whether `err` is about reaching the server rather than about a statement. */
export function isConnectionError(err: unknown): boolean {
  return isTransient(err) || REFUSED.has(codeOf(err));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connection pool to `url`, once a first connection has worked. */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<pg.Pool> {
  const o = { ...CONNECT_DEFAULTS, ...opts };
  const server = describeServer(url);
  // A few connections: an operation is one transaction, and a process runs a handful at once.
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: o.connectTimeoutMs, application_name: 'refeed', types });
  // An idle connection the server dropped: the next operation reconnects or reports it.
  pool.on('error', () => undefined);
  const started = Date.now();
  for (let attempt = 1, delay = o.retryDelayMs; ; attempt++, delay *= 2) {
    try {
      (await pool.connect()).release();
      return pool;
    } catch (err) {
      if (!isTransient(err) || attempt >= o.attempts) {
        await pool.end().catch(() => undefined);
        const tried = attempt > 1 ? ` (${attempt} attempts over ${((Date.now() - started) / 1000).toFixed(1)} s)` : '';
        throw new StoreUnavailableError(server, `${reasonOf(err, url)}${tried}`);
      }
      await sleep(delay);
    }
  }
}

/** The error's message without the URL's password, should the driver ever repeat it. */
function reasonOf(err: unknown, url: string): string {
  let message = (err as Error)?.message || codeOf(err) || String(err);
  const password = new URL(url).password;
  if (password) for (const p of new Set([password, decodeURIComponent(password)])) message = message.split(p).join('***');
  return message;
}

/** `err`, or the StoreUnavailableError it amounts to. */
export function storeError(err: unknown, url: string): unknown {
  if (err instanceof StoreUnavailableError || !isConnectionError(err)) return err;
  return new StoreUnavailableError(describeServer(url), reasonOf(err, url));
}

// A deadlock or serialization failure is resolved by running the transaction again.
const RETRY_TX = new Set(['40P01', '40001']);
const TX_ATTEMPTS = 5;

/** Runs `fn` in one transaction on one connection; again (from scratch) when the server broke a deadlock by aborting it. */
export async function transaction<T>(pool: pg.Pool, url: string, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw storeError(err, url);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (isConnectionError(err)) broken = err as Error;
      else await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      if (RETRY_TX.has(codeOf(err)) && attempt < TX_ATTEMPTS) continue;
      throw storeError(err, url);
    } finally {
      // A connection that failed is discarded, not handed to the next operation.
      client.release(broken);
    }
  }
}

/** One statement outside an explicit transaction (it is its own). */
export async function query<R extends pg.QueryResultRow>(pool: pg.Pool, url: string, text: string, values?: unknown[]): Promise<R[]> {
  try {
    return (await pool.query<R>(text, values)).rows;
  } catch (err) {
    throw storeError(err, url);
  }
}

// PostgreSQL text cannot hold U+0000, which a feed's JSON may; it is stored as U+FFFD, and looked up the same way.
const NUL = /\u0000/g;

export function pgText(s: string): string {
  return s.includes('\u0000') ? s.replace(NUL, '\uFFFD') : s;
}

export function pgTexts(list: readonly string[]): string[] {
  return list.map(pgText);
}

/** Rows as one JSON parameter (read with json_to_recordset): a statement for any number of rows. */
export function jsonRows(rows: readonly object[]): string {
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'string' ? pgText(v) : v));
}
