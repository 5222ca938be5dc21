// Turns a raw request-target into path segments that are safe to join under
// the served root, or a refusal: 400 for requests that are not well-formed,
// 404 for well-formed paths that try to leave the root (traversal attempts get
// the same answer as a missing file, telling a prober nothing). Pure: no filesystem access.

export type ParsedTarget =
  | {
      ok: true;
      /** Decoded segments, each a plain file or folder name (never '', '.', '..', nor containing '/', '\\' or control chars). */
      segments: string[];
      /** The path ended with '/' (or was '/'): a folder is being asked for. */
      trailingSlash: boolean;
      /** The path as sent (still percent-encoded), for building redirects. */
      rawPath: string;
      /** `?…` as sent, or ''. */
      search: string;
    }
  | { ok: false; status: 400 | 404; reason: string };

// Attackers nest encodings hoping some layer decodes twice; we only decode once
// for lookup, but also refuse anything that would turn dangerous after more
// decoding, so no later layer (proxy, log tool, future code) can be fooled.
const MAX_EXTRA_DECODES = 3;

// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f/\\]/;

export function parseRequestTarget(target: string | undefined): ParsedTarget {
  let raw = target ?? '/';
  const hash = raw.indexOf('#');
  if (hash >= 0) raw = raw.slice(0, hash);
  const q = raw.indexOf('?');
  const search = q >= 0 ? raw.slice(q) : '';
  let rawPath = q >= 0 ? raw.slice(0, q) : raw;

  if (!rawPath.startsWith('/')) {
    // absolute-form (`GET http://host/path`), which HTTP/1.1 servers must accept.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(rawPath);
    if (!m) return { ok: false, status: 400, reason: 'request target is not a path' };
    rawPath = m[1] ?? '/';
  }
  if (rawPath.includes('\\')) return { ok: false, status: 404, reason: 'backslash in path' };

  const parts = rawPath.split('/').slice(1);
  const trailingSlash = parts[parts.length - 1] === '';
  if (trailingSlash) parts.pop();

  const segments: string[] = [];
  for (const part of parts) {
    // An empty segment (`//etc/passwd`) would make the path absolute once
    // joined by some tools and makes `//host` redirects possible: refuse it.
    if (part === '') return { ok: false, status: 404, reason: 'empty path segment' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return { ok: false, status: 400, reason: 'malformed percent-encoding' };
    }
    const bad = unsafeSegment(decoded);
    if (bad) return { ok: false, status: 404, reason: bad };
    let deeper = decoded;
    for (let i = 0; i < MAX_EXTRA_DECODES && deeper.includes('%'); i++) {
      try {
        deeper = decodeURIComponent(deeper);
      } catch {
        break; // a literal '%' that is not an encoding: harmless
      }
      const worse = unsafeSegment(deeper);
      if (worse) return { ok: false, status: 404, reason: `${worse} (multiply encoded)` };
    }
    segments.push(decoded);
  }
  return { ok: true, segments, trailingSlash, rawPath, search };
}

function unsafeSegment(s: string): string | undefined {
  if (s === '.' || s === '..') return 'dot segment in path';
  if (FORBIDDEN_CHARS.test(s)) return 'forbidden character in path segment';
  return undefined;
}
