// Shared setup for the serve tests: a temp copy of the fixture site with a
// secret file beside it, a running server, and raw HTTP helpers (node:http,
// so bodies arrive exactly as sent — no automatic decompression).

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { Writable } from 'node:stream';
import { createFeedServer, listen, type HealthReport } from '../../src/serve/index.ts';

export const FIXTURE_SITE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/serve/site');
export const SECRET = 'TOP-SECRET-7f3a9c-never-serve-me';

export interface Site {
  /** Temp folder holding `root/` and `secret.txt` beside it. */
  dir: string;
  root: string;
  secretFile: string;
  cleanup(): void;
}

export function makeSite(): Site {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'refeed-serve-'));
  const root = path.join(dir, 'root');
  cpSync(FIXTURE_SITE, root, { recursive: true });
  const secretFile = path.join(dir, 'secret.txt');
  writeFileSync(secretFile, `${SECRET}\n`);
  return { dir, root, secretFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Running {
  base: string;
  port: number;
  server: http.Server;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startFeedServer(
  root: string,
  opts: { health?: () => Promise<HealthReport>; cacheMaxAgeSec?: number; cacheBytes?: number } = {},
): Promise<Running> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger: Logger = pino({ level: 'debug' }, sink);
  const server = createFeedServer({
    root,
    cacheMaxAgeSec: opts.cacheMaxAgeSec ?? 300,
    health: opts.health ?? (async () => ({ status: 'ok', channels: [] })),
    logger,
    cacheBytes: opts.cacheBytes,
  });
  const addr = await listen(server, '127.0.0.1', 0);
  return {
    base: `http://127.0.0.1:${addr.port}`,
    port: addr.port,
    server,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the target sent verbatim (no normalisation of `..`, `//` or escapes). */
export function request(
  port: number,
  target: string,
  opts: { method?: string; headers?: Record<string, string>; agent?: http.Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: target, method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Writes raw bytes on a socket and returns everything the server answers until it closes. */
export function rawRequest(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write(bytes);
  });
}
