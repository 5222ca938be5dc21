// Content tags and encoded bodies, cached so a flood of requests for the same
// feed neither re-reads, re-hashes nor re-compresses it.

import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { WeightedLru } from './lru.ts';
import type { Encoding } from './negotiate.ts';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Bigger files are streamed: no hashing, no compression, no caching. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Below this, compression saves less than its headers cost. */
export const COMPRESS_MIN_BYTES = 256;
/**
 * A file's stat identity is trusted to stand for its content only once its
 * ctime is this much older than the moment we hashed it (git's "racy clean"
 * rule): a write within the same timestamp tick could otherwise keep the same
 * stat key with different bytes.
 */
export const RACY_MS = 2_000;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** Tag for content: 128 bits of SHA-256 in hex (hex, so `-br`/`-gz` suffixes stay unambiguous). */
export function contentTag(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}

/** Tag for a file too big to hash per change: its stat identity. */
export function statTag(st: Stats): string {
  return `s${st.size.toString(16)}.${Math.floor(st.mtimeMs).toString(16)}.${st.ino.toString(16)}`;
}

function statKey(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

export class Representations {
  private readonly tags = new WeightedLru<string, string>(20_000, () => 1);
  private readonly bodies: WeightedLru<string, Buffer>;
  private readonly inflight = new Map<string, Promise<Buffer>>();

  constructor(maxBytes = DEFAULT_CACHE_BYTES) {
    this.bodies = new WeightedLru(maxBytes, (b) => b.length, Math.floor(maxBytes / 8));
  }

  /** The content tag last computed for exactly this file version, if it can be trusted. */
  knownTag(st: Stats): string | undefined {
    return this.tags.get(statKey(st));
  }

  rememberTag(st: Stats, tag: string, hashedAtMs: number): void {
    if (hashedAtMs - st.ctimeMs > RACY_MS && hashedAtMs - st.mtimeMs > RACY_MS) this.tags.set(statKey(st), tag);
  }

  /**
   * The body of `tag` in `encoding`. `load` gives the identity bytes and is
   * called only on a miss; concurrent misses share one load and one compression.
   */
  async body(tag: string, encoding: Encoding, load: () => Promise<Buffer>): Promise<Buffer> {
    const key = `${tag}\0${encoding}`;
    const hit = this.bodies.get(key);
    if (hit) return hit;
    const pending = this.inflight.get(key);
    if (pending !== undefined) return pending;
    const work = (async () => {
      const identity = this.bodies.get(`${tag}\0identity`) ?? (await load());
      this.bodies.set(`${tag}\0identity`, identity);
      const out = await encode(identity, encoding);
      this.bodies.set(key, out);
      return out;
    })();
    this.inflight.set(key, work);
    try {
      return await work;
    } finally {
      this.inflight.delete(key);
    }
  }

  get cachedBytes(): number {
    return this.bodies.weight;
  }
}

export function encode(body: Buffer, encoding: Encoding): Promise<Buffer> {
  switch (encoding) {
    case 'br':
      return brotli(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          // 11 is several times slower for a few % less; results are cached anyway.
          [zlib.constants.BROTLI_PARAM_QUALITY]: 8,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      });
    case 'gzip':
      return gzip(body, { level: 9 });
    case 'identity':
      return Promise.resolve(body);
  }
}
