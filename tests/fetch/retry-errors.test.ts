import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/fetch/retry-after.ts';
import { classifyNetworkError } from '../../src/fetch/network-errors.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-03-05T10:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date as seconds from now, never negative', () => {
    expect(parseRetryAfter('Tue, 05 Mar 2024 10:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('Tue, 05 Mar 2024 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores anything else', () => {
    for (const v of [undefined, '', '-5', '1.5', 'soon', '12abc']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('classifyNetworkError', () => {
  const err = (code: string, nested = false) => (nested ? Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(code), { code }) }) : Object.assign(new Error(code), { code }));
  it('maps DNS failures, including nested causes', () => {
    expect(classifyNetworkError(err('ENOTFOUND', true), 'https://nowhere.example/feed')).toEqual({ code: 'dns', message: 'DNS lookup failed for nowhere.example: ENOTFOUND' });
    expect(classifyNetworkError(err('EAI_AGAIN'), 'https://a.example/').message).toMatch(/temporary DNS failure/);
  });
  it('maps connect and socket failures to network with a readable reason', () => {
    expect(classifyNetworkError(err('ECONNREFUSED'), 'http://127.0.0.1:9/')).toEqual({ code: 'network', message: 'connection refused (127.0.0.1:9, ECONNREFUSED)' });
    expect(classifyNetworkError(err('CERT_HAS_EXPIRED'), 'https://old.example/').message).toMatch(/TLS certificate has expired/);
  });
  it('maps undici timeouts to timeout', () => {
    expect(classifyNetworkError(err('UND_ERR_CONNECT_TIMEOUT'), 'https://slow.example/').code).toBe('timeout');
  });
  it('falls back to the error message', () => {
    expect(classifyNetworkError(new Error('weird'), 'https://x.example/')).toEqual({ code: 'network', message: 'weird (x.example)' });
  });
});
