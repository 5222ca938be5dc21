import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewCommand } from '../../src/cli/commands/preview.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { runCommand } from './run-command.ts';

// `refeed preview --full-text` (issue 21): what full_text would make of each
// kept item's page, before the editor sets it; pages fetched, nothing stored.

const story = (n: number) =>
  `<!doctype html><html><head><title>S${n}</title></head><body><nav>Menu Home About</nav><div class="story"><h1>Story ${n}</h1>${'<p>The whole text of the story, told at length, with every detail the teaser left out of it.</p>'.repeat(5)}</div><aside class="ad">Buy now</aside></body></html>`;

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const p = req.url ?? '/';
    const base = `http://${req.headers.host}`;
    if (p === '/feed.xml') {
      const items = [1, 2, 3]
        .map((n) => `<item><title>Story ${n}</title><link>${base}/s/${n}.html</link><guid>s${n}</guid><pubDate>Mon, 0${n} Jul 2024 10:00:00 GMT</pubDate><description>Teaser ${n}</description></item>`)
        .join('');
      return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${base}/</link>${items}</channel></rss>`);
    }
    if (p === '/s/1.html' || p === '/s/3.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(story(Number(p[3])));
    if (p === '/s/2.html') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    res.writeHead(404).end();
  });
});
afterAll(async () => void (await server?.close()));

describe('refeed preview --full-text', () => {
  it('shows each page read or why not, and the first article with its page\'s text; stores nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'refeed-preview-ft-'));
    const file = path.join(dir, 'refeed.yaml');
    // A config without full_text: preview tries it anyway.
    writeFileSync(file, 'site: { output: out, state: state.db }\ngroups: []\n');
    const r = await runCommand(previewCommand, [`${server.url}/feed.xml`, '--full-text', '--allow-private', '-c', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/full text \(readability\): 2 of 3 pages read/);
    expect(r.stderr).toMatch(new RegExp(`ok {6}${server.url}/s/3\\.html — \\d+ characters of text`));
    expect(r.stderr).toMatch(new RegExp(`failed  ${server.url}/s/2\\.html: not-html: .* is not an HTML page \\(application/json\\) \\(the feed's content is kept\\)`));
    // The first article (the feed's first: story 1) as full text would write it: the page's story, the teaser as its summary.
    expect(r.stdout).toContain('every detail the teaser left out');
    expect(r.stdout).not.toContain('Menu Home About');
    expect(r.stdout).toMatch(/summary: 'Teaser 1'/);
    expect(existsSync(path.join(dir, 'state.db'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['refeed.yaml']);
  }, 30_000);

  it('tries a selector, and refuses one css-select cannot read', async () => {
    const r = await runCommand(previewCommand, [`${server.url}/feed.xml`, '--full-text', '--selector', 'aside.ad', '--allow-private', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.fullText.mode).toBe('aside.ad');
    expect(out.fullText.pages.filter((p: { ok: boolean }) => p.ok)).toHaveLength(2);
    expect(out.article).toContain('Buy now');
    expect(out.article).not.toContain('every detail the teaser left out');
    const bad = await runCommand(previewCommand, [`${server.url}/feed.xml`, '--full-text', '--selector', 'div[', '--allow-private']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--selector "div\[" must be a CSS selector css-select can read: Expected name/);
  }, 30_000);
});
