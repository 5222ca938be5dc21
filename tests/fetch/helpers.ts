import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChannelSettings } from '../../src/core/types.ts';

export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/fetch/${name}`, import.meta.url)));
}

export function fixtureText(name: string): string {
  return fixture(name).toString('utf8');
}

/** Channel settings with small limits so failure paths finish fast. */
export function testSettings(over: Partial<ChannelSettings> = {}): ChannelSettings {
  return {
    schedule: '*/30 * * * *',
    timeoutMs: 3000,
    maxBytes: 1024 * 1024,
    maxRedirects: 5,
    userAgent: 'refeed-test/1.0 (+https://example.invalid/refeed)',
    headers: {},
    include: [],
    exclude: [],
    rules: [],
    limit: 100,
    enabled: true,
    author: 'source',
    allowIframeHosts: [],
    // The tests' upstreams are on loopback.
    allowPrivate: true,
    ...over,
  };
}

export const MINIMAL_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Minimal</title><link>http://minimal.example/</link>
<item><title>Only item</title><link>http://minimal.example/1</link><guid>m-1</guid></item>
</channel></rss>`;
