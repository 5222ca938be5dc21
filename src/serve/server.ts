// The HTTP server for the publisher's output folder: static files only, GET and
// HEAD only, no directory listings, nothing from outside the root.

import { constants as fsc } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../core/log.ts';
import type { HealthReport } from '../core/types.ts';
import { contentTypeFor, isCompressible } from './content-type.ts';
import { healthFailureReason } from './health-reason.ts';
import { etagFor, isNotModified, pickEncoding, type Encoding } from './negotiate.ts';
import { parseRequestTarget } from './request-path.ts';
import {
  COMPRESS_MIN_BYTES,
  DEFAULT_CACHE_BYTES,
  MAX_BUFFERED_BYTES,
  Representations,
  contentTag,
  statTag,
} from './representations.ts';
import { resolveUnderRoot } from './resolve.ts';
import { FEED_NAMES, movedFeedsReader } from './moved.ts';

export interface FeedServerOptions {
  /** The publisher's output folder. */
  root: string;
  cacheMaxAgeSec: number;
  /** Read per request (the state may change under it). */
  health: () => Promise<HealthReport>;
  logger: Logger;
  /** Bound on cached (compressed and plain) bodies; 64 MB by default. */
  cacheBytes?: number;
  /** When given, only paths it accepts are served (the rest are 404 like a missing file): what the publisher writes. */
  servable?: (segments: readonly string[]) => boolean;
  /** GET /metrics: the Prometheus text page; without it, /metrics is a 404 like any unpublished path. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** WebSub subscriber callbacks, `/websub/<channel id>` (GET: a hub verifying intent; POST: a push). */
  websub?: WebSubCallback;
  /** WebSub discovery: with hubs, each feed file is sent with `Link` headers naming them and its own URL under siteUrl. */
  feedLinks?: () => { hubs: readonly string[]; siteUrl: string };
}

/** What answers refeed's WebSub callback URLs (see ingest/websub.ts); the server only reads the request, bounded. */
export interface WebSubCallback {
  /** A hub verifying a (un)subscription: the challenge to echo back, or undefined to refuse (404). */
  verify(channelId: string, query: URLSearchParams): string | undefined;
  /** The most bytes a push to this callback may have; undefined when no subscription is behind it (410 Gone, counted). */
  maxBytes(channelId: string): number | undefined;
  /** A push whose body was read in full: the status to answer. */
  push(channelId: string, body: Buffer, headers: http.IncomingHttpHeaders): Promise<number>;
  /** A push refused before its body was read (counted). */
  refused(channelId: string, reason: 'unknown' | 'too-large'): void;
}

const WEBSUB_PATH = 'websub';

const ALLOW = 'GET, HEAD';
const ALLOW_WITH_OPTIONS = 'GET, HEAD, OPTIONS';
// The published files are public: web readers (a page on another origin) may fetch them,
// read their validators, and find WebSub hubs in Link headers.
const CORS: http.OutgoingHttpHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Last-Modified, Link',
};
const HEALTH_PATH = 'healthz';
const METRICS_PATH = 'metrics';
// O_NONBLOCK: if the file was swapped for a FIFO after we stat'ed it, opening
// must not hang. O_NOFOLLOW: the final component was realpath'd, so a symlink
// there now means someone swapped it in after the check.
const OPEN_FLAGS = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK;

export function createFeedServer(opts: FeedServerOptions): http.Server {
  const root = path.resolve(opts.root);
  const log = opts.logger.child({ module: 'serve' });
  const reps = new Representations(opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
  const cacheControl = `public, max-age=${Math.max(0, Math.floor(opts.cacheMaxAgeSec))}`;
  // Why a request was refused, for the debug log line (never sent to the client).
  const notes = new WeakMap<http.ServerResponse, string>();

  const moved = movedFeedsReader(root);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    if (opts.websub && /^\/websub\/[^/?]+(\?|$)/.test(req.url ?? '')) {
      const target = parseRequestTarget(req.url);
      if (target.ok && target.segments.length === 2 && target.segments[0] === WEBSUB_PATH) return webSubCallback(req, res, opts.websub, target.segments[1], target.search);
    }
    if (method === 'OPTIONS') {
      // A CORS preflight (a web reader sending If-None-Match): allowed, for reading only.
      writeHead(res, 204, {
        ...CORS,
        Allow: ALLOW_WITH_OPTIONS,
        'Access-Control-Allow-Methods': ALLOW,
        'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since, Cache-Control',
        'Access-Control-Max-Age': '86400',
      }).end();
      return;
    }
    if (method !== 'GET' && !head) {
      return sendText(res, head, 405, 'Method Not Allowed', { Allow: ALLOW_WITH_OPTIONS });
    }
    const target = parseRequestTarget(req.url);
    if (!target.ok) {
      notes.set(res, target.reason);
      return target.status === 400 ? sendText(res, head, 400, 'Bad Request') : sendText(res, head, 404, 'Not Found');
    }
    if (target.segments.length === 1 && target.segments[0] === HEALTH_PATH && !target.trailingSlash) {
      return sendHealth(res, head);
    }
    if (opts.metrics && target.segments.length === 1 && target.segments[0] === METRICS_PATH && !target.trailingSlash) {
      return sendMetrics(res, head, opts.metrics);
    }
    const movedTo = target.trailingSlash ? undefined : await moved(target.segments);
    if (movedTo) {
      // Relative, so it holds behind a proxy that serves the folder under a path of its own.
      const location = `${'../'.repeat(target.segments.length - 1)}${movedTo.join('/')}${target.search}`;
      return sendText(res, head, 301, `Moved Permanently: ${location}`, { Location: location, 'Cache-Control': cacheControl, ...CORS });
    }
    if (opts.servable && !opts.servable(target.trailingSlash && target.segments.length ? [...target.segments, ''] : target.segments)) {
      notes.set(res, 'not a published file');
      return sendText(res, head, 404, 'Not Found');
    }
    const found = await resolveUnderRoot(root, target.segments, target.trailingSlash);
    switch (found.kind) {
      case 'not-found':
        notes.set(res, found.reason);
        return sendText(res, head, 404, 'Not Found');
      case 'redirect-to-folder': {
        const location = `${target.rawPath}/${target.search}`;
        return sendText(res, head, 301, `Moved Permanently: ${location}`, { Location: location, 'Cache-Control': cacheControl, ...CORS });
      }
      case 'file':
        return sendFile(req, res, head, found.realPath, found.name, linkHeader(target.segments));
    }
  }

  /** The Link header of a feed file (W3C WebSub §4: hubs and self), when hubs are configured. */
  function linkHeader(segments: readonly string[]): string | undefined {
    const links = opts.feedLinks?.();
    if (!links?.hubs.length || !FEED_NAMES.has(segments[segments.length - 1] ?? '')) return undefined;
    const self = new URL(segments.map(encodeURIComponent).join('/'), links.siteUrl).href;
    return [...links.hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(', ');
  }

  async function sendFile(req: http.IncomingMessage, res: http.ServerResponse, head: boolean, realPath: string, name: string, link?: string): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(realPath, OPEN_FLAGS);
    } catch {
      notes.set(res, 'open failed');
      return sendText(res, head, 404, 'Not Found');
    }
    let handedToStream = false;
    try {
      // Everything below comes from this one open file, so headers and body
      // describe the same version even if the publisher renames a new one in.
      const st = await fh.stat();
      if (!st.isFile()) {
        notes.set(res, 'not a regular file');
        return sendText(res, head, 404, 'Not Found');
      }
      const type = contentTypeFor(name);
      const large = st.size > MAX_BUFFERED_BYTES;
      let identity: Buffer | undefined;
      let tag = large ? statTag(st) : reps.knownTag(st);
      if (!tag) {
        identity = await fh.readFile();
        tag = contentTag(identity);
        reps.rememberTag(st, tag, Date.now());
      }
      const size = identity?.length ?? st.size;
      const encoding: Encoding =
        !large && size >= COMPRESS_MIN_BYTES && isCompressible(type) ? pickEncoding(req.headers['accept-encoding']) : 'identity';

      const headers: http.OutgoingHttpHeaders = {
        ETag: etagFor(tag, encoding),
        'Last-Modified': st.mtime.toUTCString(),
        'Cache-Control': cacheControl,
        Vary: 'Accept-Encoding',
        ...CORS,
        ...(link ? { Link: link } : {}),
      };
      if (isNotModified(req.headers, tag, st.mtimeMs)) {
        writeHead(res, 304, headers).end();
        return;
      }
      headers['Content-Type'] = type;
      headers['X-Content-Type-Options'] = 'nosniff';
      if (encoding !== 'identity') headers['Content-Encoding'] = encoding;

      if (large) {
        headers['Content-Length'] = st.size;
        writeHead(res, 200, headers);
        if (head) {
          res.end();
          return;
        }
        handedToStream = true;
        const stream = fh.createReadStream({ start: 0, end: st.size - 1, autoClose: true });
        await pipeline(stream, res).catch((err: unknown) => log.debug({ err, url: req.url }, 'stream ended early'));
        return;
      }

      const handle = fh;
      const body = await reps.body(tag, encoding, async () => identity ?? handle.readFile());
      headers['Content-Length'] = body.length;
      writeHead(res, 200, headers);
      res.end(head ? undefined : body);
    } finally {
      if (!handedToStream) await fh.close().catch(() => undefined);
    }
  }

  async function webSubCallback(req: http.IncomingMessage, res: http.ServerResponse, cb: WebSubCallback, id: string, search: string): Promise<void> {
    if (req.method === 'GET') {
      const challenge = cb.verify(id, new URLSearchParams(search.replace(/^\?/, '')));
      return challenge === undefined ? sendText(res, false, 404, 'Not Found') : sendUncached(res, false, 200, 'text/plain; charset=utf-8', challenge);
    }
    if (req.method !== 'POST') return sendText(res, req.method === 'HEAD', 405, 'Method Not Allowed', { Allow: 'GET, POST' });
    const max = cb.maxBytes(id);
    if (max === undefined) {
      cb.refused(id, 'unknown');
      req.resume();
      return sendText(res, false, 410, 'Gone: no subscription here');
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      cb.refused(id, 'too-large');
      res.setHeader('Connection', 'close');
      req.resume();
      return sendText(res, false, 413, 'Payload Too Large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        cb.refused(id, 'too-large');
        res.setHeader('Connection', 'close');
        sendText(res, false, 413, 'Payload Too Large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    }
    const status = await cb.push(id, Buffer.concat(chunks), req.headers);
    return sendText(res, false, status, status < 300 ? 'Accepted' : 'Refused');
  }

  async function sendHealth(res: http.ServerResponse, head: boolean): Promise<void> {
    let status = 200;
    let body: string;
    try {
      const report = await opts.health();
      if (report.status === 'error') status = 503;
      // Only the documented fields: the report may be built from richer state objects.
      body = JSON.stringify({
        status: report.status,
        ...(report.error ? { error: report.error } : {}),
        ...(report.publish
          ? { publish: { status: report.publish.status, lastSuccessAt: report.publish.lastSuccessAt, lastError: report.publish.lastError } }
          : {}),
        ...(report.configReload ? { configReload: { status: report.configReload.status, at: report.configReload.at, problems: report.configReload.problems } } : {}),
        channels: report.channels.map((c) => ({
          key: c.key,
          status: c.status,
          lastSuccessAt: c.lastSuccessAt,
          lastError: c.lastError,
          consecutiveFailures: c.consecutiveFailures,
          disabled: c.disabled,
        })),
      });
    } catch (err) {
      log.warn({ err }, 'health check failed');
      status = 503;
      // A monitor shows why: "cannot use the state database db:5432/refeed: connect ECONNREFUSED …".
      body = JSON.stringify({ status: 'error', error: 'health check failed', reason: healthFailureReason(err) });
    }
    sendUncached(res, head, status, 'application/json; charset=utf-8', body);
  }

  async function sendMetrics(res: http.ServerResponse, head: boolean, metrics: NonNullable<FeedServerOptions['metrics']>): Promise<void> {
    let page: { contentType: string; body: string };
    try {
      page = await metrics();
    } catch (err) {
      log.warn({ err }, 'metrics failed');
      return sendText(res, head, 503, 'metrics unavailable');
    }
    sendUncached(res, head, 200, page.contentType, page.body);
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    res.on('error', (err) => log.debug({ err, url: req.url }, 'response error'));
    res.on('close', () => {
      log.debug(
        {
          method: req.method,
          url: req.url,
          status: res.statusCode,
          encoding: res.getHeader('content-encoding'),
          bytes: res.getHeader('content-length'),
          ms: Math.round((performance.now() - started) * 10) / 10,
          note: notes.get(res),
          completed: res.writableFinished,
        },
        'request',
      );
    });
    handle(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        sendText(res, req.method === 'HEAD', 500, 'Internal Server Error');
      }
      else res.destroy();
    });
  });

  // Malformed requests never reach the handler; answer them instead of
  // leaving the socket hanging, and never let them become uncaught errors.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    log.debug({ err: err.message, code: err.code }, 'client error');
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  return server;
}

// Headers go through setHeader (not writeHead's argument) so the request log
// can read them back with getHeader.
function writeHead(res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders): http.ServerResponse {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
  return res.writeHead(status);
}

function sendText(res: http.ServerResponse, head: boolean, status: number, text: string, extra: http.OutgoingHttpHeaders = {}): void {
  sendUncached(res, head, status, 'text/plain; charset=utf-8', `${text}\n`, extra);
}

/** A body made for this request (a message, /healthz, /metrics): never to be stored by a cache. */
function sendUncached(res: http.ServerResponse, head: boolean, status: number, type: string, text: string, extra: http.OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(text);
  writeHead(res, status, {
    'Content-Type': type,
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(head ? undefined : body);
}

/** Starts listening; resolves with the bound address (useful with port 0), rejects on e.g. EADDRINUSE. */
export function listen(server: http.Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      resolve({ host: addr.address, port: addr.port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
