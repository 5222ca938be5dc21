import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { runRefeed } from '../helpers/refeed-process.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';

// `refeed fetch` as a user runs it: summary on stdout, JSON logs on stderr, exit codes.

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<item><title>Hello</title><link>https://a.example/1</link><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><description>hi</description></item></channel></rss>`;

describe('refeed fetch (command)', () => {
  let server: TestServer;
  let config: string;
  beforeAll(async () => {
    server = await startServer(routes({ '/ok.xml': { body: FEED } }));
    config = writeTempConfig(oneSourceYaml([`{ name: ok, url: "${server.url}/ok.xml" }`, `{ name: missing, url: "${server.url}/missing.xml" }`]), 'refeed-cli-');
  });
  afterAll(() => server?.close());

  it('prints one line per channel on stdout, logs JSON on stderr, exits 0 despite a failed channel', async () => {
    const r = await runRefeed(['fetch', '--config', config]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^g\/s\/ok\s+new\s+new 1, updated 0/);
    expect(lines[1]).toMatch(/^g\/s\/missing\s+error\s+http-status: .*404/);
    expect(lines[2]).toBe('2 channels, 1 failed, 1 new items');
    // JSON lines, dated as every date refeed prints as data: ISO 8601 UTC.
    for (const line of r.stderr.trim().split('\n')) expect(JSON.parse(line).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.stderr).toContain('"channel":"g/s/missing"');
  });

  it('exits 1 with --strict when a channel failed, 0 when only good channels run', async () => {
    expect((await runRefeed(['fetch', '--config', config, '--strict'])).code).toBe(1);
    const only = await runRefeed(['fetch', '--config', config, '--strict', '--only', 'ok']);
    expect(only.code).toBe(0);
    expect(only.stdout).toMatch(/^g\/s\/ok\s+not-modified|^g\/s\/ok\s+unchanged/m);
  });

  it('reports every channel in status --json with clean stdout', async () => {
    const r = await runRefeed(['status', '--config', config, '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    const ok = rows.find((x: { key: string }) => x.key === 'g/s/ok');
    const missing = rows.find((x: { key: string }) => x.key === 'g/s/missing');
    expect(ok).toMatchObject({ items: 1, consecutiveFailures: 0 });
    expect(ok.lastSuccessAt).toMatch(/^\d{4}-/);
    expect(missing.status).toBe('error');
    expect(missing.consecutiveFailures).toBeGreaterThanOrEqual(1);
    expect(missing.lastError).toMatch(/404/);
    expect(missing.nextRunAt).toMatch(/^\d{4}-/);
    const table = await runRefeed(['status', '--config', config]);
    expect(table.stdout.split('\n')[0]).toMatch(/^CHANNEL\s+STATUS\s+LAST SUCCESS/);
  });

  it('exits 2 on an invalid config and runs nothing', async () => {
    const bad = path.join(path.dirname(config), 'bad.yaml');
    writeFileSync(bad, `groups:\n  - name: G\n    sources:\n      - name: S\n        channels:\n          - { name: x, url: "ftp://nope" }\n`);
    const before = server.requests.length;
    const r = await runRefeed(['fetch', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 6 groups[0].sources[0].channels[0].url: must be an absolute http(s) URL');
    expect(server.requests.length).toBe(before);
  });
});
