// Child process: the corpus's "internet". Serves channel i's feed on loopback,
// spread over several ports so refeed's per-host bound (2 by default) is not
// what limits it — as with real sources on many hosts. Conditional requests
// get 304; the parent can add an item to a channel over IPC.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { reportFatal } from './child.ts';
import { channelFeedXml, channelSpec, channelValidators } from './corpus.ts';
import { corpusFile } from './corpus-store.ts';

export interface ServerStart {
  type: 'start';
  dir: string;
  seed: number;
  channels: number;
  items: number;
  ports: number;
}

export type ServerRequest = ServerStart | { type: 'add-item'; id: number; channel: number } | { type: 'stats'; id: number };

export interface ServerStats {
  requests: number;
  ok: number;
  notModified: number;
  notFound: number;
  /** Body bytes sent with 200s. */
  bytes: number;
}

export type ServerReply =
  | { type: 'ready'; ports: number[] }
  | { type: 'item-added'; id: number; channel: number; count: number }
  | { type: 'stats'; id: number; stats: ServerStats };

interface ChannelState {
  count: number;
  etag: string;
  lastModified: string;
  type: string;
  /** Only for channels changed at run time; the rest stream from the corpus files. */
  body?: Buffer;
  size: number;
}

const stats: ServerStats = { requests: 0, ok: 0, notModified: 0, notFound: 0, bytes: 0 };

/** Whether the request's validators match: If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). */
export function isNotModified(headers: http.IncomingHttpHeaders, etag: string, lastModified: string): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));
  }
  const ims = headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    return Number.isFinite(since) && Date.parse(lastModified) <= since;
  }
  return false;
}

function start(cfg: ServerStart): Promise<number[]> {
  const channels: ChannelState[] = [];
  for (let i = 0; i < cfg.channels; i++) {
    const spec = channelSpec(i);
    channels.push({
      count: cfg.items,
      ...channelValidators(cfg.seed, i, cfg.items),
      type: spec.format === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8',
      size: statSync(corpusFile(cfg.dir, i)).size,
    });
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    stats.requests++;
    const m = /^\/feeds\/(\d+)\.(rss|atom)$/.exec((req.url ?? '').split('?')[0]);
    const i = m ? Number(m[1]) : -1;
    const ch = channels[i];
    if (!m || !ch || channelSpec(i).format !== m[2] || (req.method !== 'GET' && req.method !== 'HEAD')) {
      stats.notFound++;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers = { etag: ch.etag, 'last-modified': ch.lastModified, 'cache-control': 'max-age=0' };
    if (isNotModified(req.headers, ch.etag, ch.lastModified)) {
      stats.notModified++;
      res.writeHead(304, headers).end();
      return;
    }
    stats.ok++;
    res.writeHead(200, { ...headers, 'content-type': ch.type, 'content-length': String(ch.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    stats.bytes += ch.size;
    if (ch.body) res.end(ch.body);
    else createReadStream(corpusFile(cfg.dir, i)).on('error', (err) => res.destroy(err)).pipe(res);
  };

  process.on('message', (msg: ServerRequest) => {
    if (msg.type === 'add-item') {
      const ch = channels[msg.channel];
      ch.count++;
      Object.assign(ch, channelValidators(cfg.seed, msg.channel, ch.count));
      ch.body = Buffer.from(channelFeedXml(cfg.seed, msg.channel, ch.count));
      ch.size = ch.body.length;
      process.send!({ type: 'item-added', id: msg.id, channel: msg.channel, count: ch.count } satisfies ServerReply);
    } else if (msg.type === 'stats') {
      process.send!({ type: 'stats', id: msg.id, stats: { ...stats } } satisfies ServerReply);
    }
  });

  return Promise.all(
    Array.from(
      { length: cfg.ports },
      () =>
        new Promise<number>((resolve, reject) => {
          const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
        }),
    ),
  );
}

process.once('message', (msg: ServerRequest) => {
  if (msg.type !== 'start') return;
  start(msg).then(
    (ports) => process.send!({ type: 'ready', ports } satisfies ServerReply),
    (err) => {
      reportFatal(err);
      process.exit(1);
    },
  );
});
// The parent going away (even by kill -9) must not leave a server behind.
process.on('disconnect', () => process.exit(0));
