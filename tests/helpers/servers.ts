import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

// Real servers for the tests that need them: the one CI names
// (REFEED_TEST_POSTGRES_URL, REFEED_TEST_REDIS_URL), else one started here
// in a temp folder on a free loopback port and stopped when the tests end.
// When none can be had the tests skip, saying why, except under CI=true,
// where a missing server is a failure.

export interface TestServer {
  url: string;
  stop(): Promise<void>;
}

export type ServerOrSkip = TestServer | { skip: string };

const isRoot = () => process.getuid?.() === 0;

/** A loopback port nothing listens on (as of now). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], asPostgres: boolean): string {
  const [file, argv] = asPostgres && isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} failed: ${(e.stderr || e.message).trim().slice(-1500)}`);
  }
}

/** The newest PostgreSQL server binaries: Debian's /usr/lib/postgresql/<version>/bin, else the PATH's. */
function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(path.join(base, v, 'bin', 'initdb'))) return path.join(base, v, 'bin');
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** A PostgreSQL server: REFEED_TEST_POSTGRES_URL, else one started here (as the postgres user when root: it refuses to run as root). */
export async function postgresServer(): Promise<ServerOrSkip> {
  const given = process.env.REFEED_TEST_POSTGRES_URL;
  if (given) return { url: given, stop: async () => undefined };
  const bin = postgresBin();
  if (!bin) return { skip: 'no PostgreSQL: set REFEED_TEST_POSTGRES_URL, or install postgresql (initdb, pg_ctl)' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-pg-'));
  const data = path.join(dir, 'data');
  const pgCtl = path.join(bin, 'pg_ctl');
  const stopSync = () => {
    try {
      run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], true);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (isRoot()) run('chown', ['postgres:', dir], false);
    run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], true);
    const port = await freePort();
    // Test data: durability is not worth the fsyncs.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run(pgCtl, ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start'], true);
    process.once('exit', stopSync);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        process.off('exit', stopSync);
        stopSync();
      },
    };
  } catch (err) {
    stopSync();
    return { skip: `could not start PostgreSQL from ${bin}: ${(err as Error).message}` };
  }
}

/** Databases made on a test PostgreSQL server, dropped by dropDatabases. */
export class TestDatabases {
  private readonly made: string[] = [];
  private admin: pg.Client | undefined;

  constructor(
    private readonly serverUrl: string,
    private readonly prefix: string,
  ) {}

  private async client(): Promise<pg.Client> {
    if (!this.admin) {
      this.admin = new pg.Client({ connectionString: this.serverUrl });
      await this.admin.connect();
    }
    return this.admin;
  }

  /** A new, empty database (a leftover of the same name from an earlier run is dropped); its URL. */
  async create(): Promise<string> {
    const name = `${this.prefix}_${process.pid}_${this.made.length}`;
    const admin = await this.client();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    this.made.push(name);
    const u = new URL(this.serverUrl);
    u.pathname = `/${name}`;
    return u.toString();
  }

  async dropAll(): Promise<void> {
    if (!this.admin) return;
    for (const name of this.made.splice(0)) await this.admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await this.admin.end();
    this.admin = undefined;
  }
}

/** Sends PING over a raw socket; resolves with the reply line (`+PONG`). */
export function redisPing(url: string, timeoutMs = 2000): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    let reply = '';
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(reply.split('\r\n')[0]);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no answer from ${u.host} in ${timeoutMs} ms`)));
    socket.on('error', done);
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) done();
    });
  });
}

/**
 * A Redis server: REFEED_TEST_REDIS_URL, else `redis-server` started here
 * without persistence. `own`: always one of this test's (to stop and start
 * again), on `port` when given.
 */
export async function redisServer(opts: { own?: boolean; port?: number } = {}): Promise<ServerOrSkip> {
  const given = process.env.REFEED_TEST_REDIS_URL;
  if (given && !opts.own) return { url: given, stop: async () => undefined };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-redis-'));
  const port = opts.port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<string>((resolve) => {
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (code, signal) => resolve(`exited (${signal ?? code}) ${stderr.trim().slice(-500)}`));
  });
  const kill = () => child.kill('SIGKILL');
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  const url = `redis://127.0.0.1:${port}`;
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    const outcome = await Promise.race([exited.then((why) => ({ why })), redisPing(url, 500).then(() => 'up' as const, () => 'not yet' as const)]);
    if (outcome === 'up') {
      process.once('exit', kill);
      return {
        url,
        stop: async () => {
          process.off('exit', kill);
          child.kill('SIGTERM');
          await exited;
          cleanUp();
        },
      };
    }
    if (typeof outcome === 'object') {
      cleanUp();
      return { skip: `could not start redis-server: ${outcome.why}` };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  kill();
  cleanUp();
  return { skip: 'redis-server did not answer PING within 10 s' };
}

/**
 * The server, or undefined after saying why the tests that need it skip.
 * Under CI=true a missing server throws: CI must run every test.
 */
export function serverOrSkip(name: string, s: ServerOrSkip): TestServer | undefined {
  if (!('skip' in s)) return s;
  if (process.env.CI === 'true') throw new Error(`${name} is required when CI=true: ${s.skip}`);
  console.warn(`skipping the ${name} tests: ${s.skip}`);
  return undefined;
}
