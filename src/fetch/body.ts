import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/** Why reading a body stopped early; `fetchBytes` maps it to a FetchError code. */
export class BodyError extends Error {
  constructor(
    readonly code: 'too-large' | 'decode',
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

// Truncated compressed streams still yield what they hold (as browsers and
// curl do); whether that is a usable document is the parser's call.
const ZLIB_OPTS: zlib.ZlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_OPTS: zlib.BrotliOptions = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };

/** Content-Encoding tokens in the order they must be undone (last applied first). */
export function contentCodings(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'identity')
    .reverse();
}

function decoderFor(coding: string): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(ZLIB_OPTS);
    case 'deflate':
      return deflateDecoder();
    case 'br':
      return zlib.createBrotliDecompress(BROTLI_OPTS);
    default:
      throw new BodyError('decode', `unsupported Content-Encoding "${coding}"`);
  }
}

/**
 * RFC 9110 deflate is zlib-wrapped, but servers also send raw deflate (no
 * header, as early IIS did, and browsers accept) or gzip under that label.
 * The first two bytes tell which: a zlib header (compression method 8, a
 * checksum that divides by 31) or gzip's magic, else raw deflate.
 */
function deflateDecoder(): Transform {
  let inner: Transform | undefined;
  let head: Buffer = Buffer.alloc(0);
  const start = (bytes: Buffer): Transform => {
    const wrapped = (bytes[0] & 0x0f) === 8 && ((bytes[0] << 8) | bytes[1]) % 31 === 0;
    const gzip = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
    const d = wrapped || gzip ? zlib.createUnzip(ZLIB_OPTS) : zlib.createInflateRaw(ZLIB_OPTS);
    d.on('data', (chunk: Buffer) => outer.push(chunk));
    d.once('error', (err) => outer.destroy(err));
    return d;
  };
  const outer = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!inner) {
        head = head.length ? Buffer.concat([head, chunk]) : chunk;
        if (head.length < 2) return done();
        inner = start(head);
        chunk = head;
      }
      inner.write(chunk, () => done());
    },
    flush(done) {
      if (!inner) {
        // A body of fewer than two bytes: whatever it is, raw inflate says so.
        inner = start(head);
        if (head.length) inner.write(head);
      }
      inner.once('end', () => done());
      inner.end();
    },
    // The pipeline destroys only the streams it holds; the inflater would go
    // on with the chunk it has (a bomb's, after the size cap) unless told.
    destroy(err, done) {
      inner?.destroy();
      done(err);
    },
  });
  return outer;
}

/** Counts bytes flowing through and fails once past `max`: applied before and after decompression. */
function byteCap(max: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new BodyError('too-large', `${what} exceeds the ${formatBytes(max)} limit`));
      else done(null, chunk);
    },
  });
}

/**
 * Reads a response body to a Buffer, undoing Content-Encoding with node:zlib
 * streams. `maxBytes` bounds both the bytes on the wire and the decompressed
 * result, so a gzip bomb stops at the cap instead of filling memory.
 */
export async function readBody(body: Readable, opts: { contentEncoding?: string; maxBytes: number; signal?: AbortSignal }): Promise<Buffer> {
  const decoders = contentCodings(opts.contentEncoding).map(decoderFor);
  let decodeFailure: Error | undefined;
  for (const d of decoders) d.once('error', (e) => (decodeFailure ??= e));

  const chunks: Buffer[] = [];
  try {
    await pipeline(
      [
        body,
        byteCap(opts.maxBytes, 'response body'),
        ...decoders,
        byteCap(opts.maxBytes, decoders.length ? 'decompressed body' : 'response body'),
        new Writable({
          write(chunk: Buffer, _enc, done) {
            chunks.push(chunk);
            done();
          },
        }),
      ],
      { signal: opts.signal },
    );
  } catch (err) {
    if (err instanceof BodyError) throw err;
    if (decodeFailure && err === decodeFailure) {
      throw new BodyError('decode', `cannot decompress the ${opts.contentEncoding} body: ${decodeFailure.message}`);
    }
    throw err;
  }
  return gunzipIfGzipped(Buffer.concat(chunks), opts.maxBytes);
}

/**
 * Some servers send `.xml.gz` files without Content-Encoding, or gzip twice.
 * Gzip's magic bytes can never start a text feed, so undoing it is safe.
 */
export function gunzipIfGzipped(buf: Buffer, maxBytes: number): Buffer {
  if (buf.length < 3 || GZIP_MAGIC.some((b, i) => buf[i] !== b)) return buf;
  try {
    return zlib.gunzipSync(buf, { ...ZLIB_OPTS, maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError('too-large', `decompressed body exceeds the ${formatBytes(maxBytes)} limit`);
    }
    throw new BodyError('decode', `the body looks gzip-compressed but cannot be decompressed: ${(err as Error).message}`);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
