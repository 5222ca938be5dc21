import type { FetchError } from '../core/types.ts';
import { errorText, fetchError } from './errors.ts';
import { hostOf } from '../util/host.ts';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME', 'EAI_FAIL']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response shorter than its Content-Length',
  UND_ERR_INVALID_ARG: 'invalid request (check the configured headers and user agent)',
  HPE_INVALID_CONSTANT: 'the server sent a malformed HTTP response',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate issuer is unknown',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
};

/** The first `code` found on the error or its `cause` chain (undici and node:net both nest them). */
function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a transport-level failure (no HTTP response to judge) to a FetchError for `url`. */
export function classifyNetworkError(err: unknown, url: string): FetchError {
  const code = errorCode(err);
  const host = hostOf(url);
  if (code && DNS_CODES.has(code)) {
    const temporary = code === 'EAI_AGAIN' ? ' (temporary DNS failure)' : '';
    return fetchError('dns', `DNS lookup failed for ${host}${temporary}: ${code}`);
  }
  if (code && TIMEOUT_CODES.has(code)) return fetchError('timeout', `timed out talking to ${host} (${code})`);
  const why = (code && WHY[code]) ?? errorText(err);
  return fetchError('network', `${why} (${host}${code ? `, ${code}` : ''})`);
}

