import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { routes, startServer } from '../helpers/server.ts';
import { startRefeed } from '../helpers/refeed-process.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';

// Issue 15: `refeed serve` fetches nothing, so its /metrics reports what the
// state says (a cron-driven `refeed once` keeps it), and the process's own.

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<item><title>Hello</title><link>https://a.example/1</link></item><item><title>Again</title><link>https://a.example/2</link></item></channel></rss>`;

describe('refeed serve /metrics', () => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('is the only code that loads prom-client, and only run and serve load it', () => {
    const src = path.resolve(import.meta.dirname, '../../src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const importing = (what: RegExp) => files.filter((f) => what.test(readFileSync(path.join(src, f), 'utf8'))).sort();
    expect(importing(/['"]prom-client['"]/)).toEqual(['cli/metrics.ts']);
    expect(importing(/from ['"][./]*metrics\.ts['"]/)).toEqual(['cli/actions/run.ts', 'cli/actions/serve.ts']);
  });

  it('reports each channel from the state, and no fetch counters', async () => {
    const upstream = await startServer(routes({ '/ok.xml': { body: FEED } }));
    cleanup.push(() => upstream.close());
    const config = writeTempConfig(oneSourceYaml([`{ name: ok, url: "${upstream.url}/ok.xml" }`, `{ name: bad, url: "${upstream.url}/missing.xml" }`]), 'refeed-serve-metrics-');
    const once = startRefeed(['once', '--config', config]);
    expect((await once.exited).code).toBe(0);

    const serve = startRefeed(['serve', '--config', config, '--port', '0']);
    cleanup.push(() => serve.child.exitCode === null && serve.child.kill('SIGKILL'));
    const base = (await serve.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+\/)"/))[1];
    const r = await fetch(new URL('metrics', base));
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/^refeed_channel_items\{channel="g\/s\/ok"\} 2$/m);
    expect(text).toMatch(/^refeed_channel_consecutive_failures\{channel="g\/s\/bad"\} 1$/m);
    expect(text).toMatch(/^refeed_channel_last_success_timestamp_seconds\{channel="g\/s\/ok"\} \d+(\.\d+)?$/m);
    // Never succeeded: a 0 sample (issue 22), so `time() - …` alerts fire for it.
    expect(text).toMatch(/^refeed_channel_last_success_timestamp_seconds\{channel="g\/s\/bad"\} 0$/m);
    expect(text).toMatch(/^refeed_channel_up\{channel="g\/s\/bad"\} 0$/m);
    expect(text).toMatch(/^refeed_channel_up\{channel="g\/s\/ok"\} 1$/m);
    expect(text).not.toMatch(/^refeed_channel_fetches_total\{/m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  });
});
