import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pgDriver from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRefeed } from '../helpers/refeed-process.ts';
import { routes, startServer, type TestServer } from '../helpers/server.ts';
import { freePort, postgresServer, serverOrSkip, TestDatabases } from '../helpers/servers.ts';
import { oneSourceYaml, writeTempConfig } from '../helpers/config-file.ts';

// The commands on a PostgreSQL state named by REFEED_STATE, as a container
// runs them: fetch, publish and status work as on a SQLite file (and no
// file is made), and a server out of reach is a clear failure.

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
<item><title>Hello from PostgreSQL</title><link>https://a.example/1</link><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><description>hi</description></item></channel></rss>`;

const pg = serverOrSkip('PostgreSQL', await postgresServer());
const databases = pg && new TestDatabases(pg.url, 'refeed_cli');

describe.skipIf(!pg)('refeed on a PostgreSQL state (REFEED_STATE)', () => {
  let feeds: TestServer;
  let dir: string;
  let config: string;
  beforeAll(async () => {
    feeds = await startServer(routes({ '/ok.xml': { body: FEED } }));
    config = writeTempConfig(oneSourceYaml([`{ name: ok, url: "${feeds.url}/ok.xml" }`]), 'refeed-pg-cli-');
    dir = path.dirname(config);
  });
  afterAll(async () => {
    await feeds?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await databases?.dropAll();
    await pg?.stop();
  });

  it('fetches, publishes and reports from the database, never touching the file the config names', async () => {
    const env = { REFEED_STATE: await databases!.create() };
    const before = await runRefeed(['status', '--config', config, '--json'], env);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)[0]).toMatchObject({ key: 'g/s/ok', items: 0 });
    const fetch = await runRefeed(['fetch', '--config', config], env);
    expect(fetch.code, fetch.stderr).toBe(0);
    expect(fetch.stdout).toMatch(/^g\/s\/ok\s+new\s+new 1/m);
    expect((await runRefeed(['publish', '--config', config], env)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'out', 'rss.xml'), 'utf8')).toContain('Hello from PostgreSQL');
    const status = await runRefeed(['status', '--config', config, '--json'], env);
    expect(JSON.parse(status.stdout)[0]).toMatchObject({ key: 'g/s/ok', items: 1, consecutiveFailures: 0 });
    expect(existsSync(path.join(dir, 'state.db'))).toBe(false);
  });

  it('a database whose tables were dropped is a lost state, not a new one: status names reindex, publish restores it from the article files', async () => {
    const env = { REFEED_STATE: await databases!.create() };
    const own = writeTempConfig(oneSourceYaml([`{ name: ok, url: "${feeds.url}/ok.xml" }`]), 'refeed-pg-lost-');
    try {
      expect((await runRefeed(['once', '--all', '--config', own], env)).code).toBe(0);
      const rss = path.join(path.dirname(own), 'out', 'rss.xml');
      const published = readFileSync(rss, 'utf8');
      expect(published).toContain('Hello from PostgreSQL');
      const client = new pgDriver.Client({ connectionString: env.REFEED_STATE });
      await client.connect();
      await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await client.end();
      const status = await runRefeed(['status', '--config', own], env);
      expect(status.stderr).toMatch(/holds no articles.*refeed reindex/);
      const r = await runRefeed(['publish', '--config', own], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/restored 1 article from 1 file first/);
      expect(readFileSync(rss, 'utf8')).toBe(published);
    } finally {
      rmSync(path.dirname(own), { recursive: true, force: true });
    }
  });

  it('fails naming the server, not the password, when it cannot be reached', async () => {
    const port = await freePort();
    const r = await runRefeed(['fetch', '--config', config], { REFEED_STATE: `postgres://refeed:pw-not-shown@127.0.0.1:${port}/refeed` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${port}/refeed`);
    expect(r.stderr + r.stdout).not.toContain('pw-not-shown');
  });

  it('rejects a malformed REFEED_STATE before doing anything (exit 2)', async () => {
    const r = await runRefeed(['validate', '--config', config], { REFEED_STATE: 'postgres://pg-host:5432/' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/site\.state: \$REFEED_STATE: .*names no database/);
  });
});
