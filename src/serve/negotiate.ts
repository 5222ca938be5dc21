// HTTP negotiation and conditional-request rules, as pure functions.

export type Encoding = 'br' | 'gzip' | 'identity';

/**
 * Picks the response coding from Accept-Encoding. Among br and gzip the higher
 * q wins, br on a tie (smaller); q=0 forbids. No header → identity, the safe
 * reading for clients too old to send one.
 */
export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const entry of acceptEncoding.split(',')) {
    const [name, ...params] = entry.split(';').map((s) => s.trim());
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^q\s*=\s*(.*)$/i.exec(p);
      // A q we cannot read makes the whole entry unreadable: ignore it.
      if (m) weight = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(m[1]) ? Number(m[1]) : NaN;
    }
    if (!Number.isFinite(weight) || weight < 0 || weight > 1) continue;
    const coding = name.toLowerCase();
    q.set(coding, Math.max(weight, q.get(coding) ?? 0));
  }
  const star = q.get('*');
  const br = q.get('br') ?? star ?? 0;
  const gzip = q.get('gzip') ?? q.get('x-gzip') ?? star ?? 0;
  if (br > 0 && br >= gzip) return 'br';
  if (gzip > 0) return 'gzip';
  return 'identity';
}

const SUFFIX: Record<Encoding, string> = { br: '-br', gzip: '-gz', identity: '' };

/**
 * The strong ETag of one coded representation. Codings get distinct tags
 * because a strong validator must change when the bytes do (RFC 9110 §8.8.3).
 */
export function etagFor(tag: string, encoding: Encoding): string {
  return `"${tag}${SUFFIX[encoding]}"`;
}

/**
 * If-None-Match uses weak comparison, and any coding of the same content is a
 * valid cached copy, so `"x"`, `W/"x"`, `"x-br"` and `"x-gz"` all match tag x.
 */
export function ifNoneMatchHits(header: string, tag: string): boolean {
  if (header.trim() === '*') return true;
  const re = /(?:W\/)?"([^"]*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    if (m[1].replace(/-(?:br|gz)$/, '') === tag) return true;
  }
  return false;
}

/** Whether the request's validators say the client's copy is current (304). */
export function isNotModified(
  headers: { 'if-none-match'?: string; 'if-modified-since'?: string },
  tag: string,
  mtimeMs: number,
): boolean {
  const inm = headers['if-none-match'];
  // RFC 9110 §13.2.2: If-Modified-Since is ignored when If-None-Match is present.
  if (inm !== undefined) return ifNoneMatchHits(inm, tag);
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  if (Number.isNaN(since)) return false;
  // HTTP dates have whole seconds; compare at that precision.
  return Math.floor(mtimeMs / 1000) <= Math.floor(since / 1000);
}
