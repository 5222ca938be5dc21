import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { js2xml, type Element as XmlElement } from 'xml-js';
import { addChannel, addChannels, EditError, parseConfig, parseOpml, planImport, type ChannelEntry } from '../../src/config/index.ts';
import { MAX_OPML_DEPTH } from '../../src/config/opml.ts';
import { BIN, REPO, runRefeed, startRefeed } from '../helpers/refeed-process.ts';

// Issue 20, item 6: `opml import` re-parsed the whole configuration per
// outline (500 outlines 23 s, 1,000 89 s, 10,000 never finished), ignored
// Ctrl-C and SIGTERM, and a 100k-deep OPML died with "Maximum call stack size
// exceeded". Now the configuration is parsed once, everything added in
// memory, and the file written once at the end, untouched when interrupted.

const FIX = path.join(import.meta.dirname, '../fixtures/editors');
const FILE = '/tmp/refeed-test/refeed.yaml';

/** OPML (built with xml-js) with `folders` folders of `perFolder` feeds each. */
function bigOpml(folders: number, perFolder: number, prefix = 'f'): string {
  const folder = (g: number): XmlElement => ({
    type: 'element',
    name: 'outline',
    attributes: { text: `Folder ${g}` },
    elements: Array.from({ length: perFolder }, (_, i) => ({
      type: 'element' as const,
      name: 'outline',
      attributes: { type: 'rss', text: `Feed ${g}-${i}`, xmlUrl: `https://${prefix}${g}-${i}.example/rss?x=1&y=2` },
    })),
  });
  return js2xml({
    declaration: { attributes: { version: '1.0', encoding: 'UTF-8' } },
    elements: [{ type: 'element', name: 'opml', attributes: { version: '2.0' }, elements: [{ type: 'element', name: 'body', elements: Array.from({ length: folders }, (_, g) => folder(g)) }] }],
  });
}

/**
 * OPML whose outlines nest `depth` levels (one feed at the bottom). Its tags
 * are written by xml-js once and repeated: xml-js itself recurses, and could
 * not write 100,000 levels.
 */
function deepOpml(depth: number): string {
  const folder = js2xml({ elements: [{ type: 'element', name: 'outline', attributes: { text: 'Level' }, elements: [{ type: 'text', text: '|' }] }] }).split('|');
  const feed = js2xml({ elements: [{ type: 'element', name: 'outline', attributes: { text: 'Feed', xmlUrl: 'https://deep.example/rss' } }] });
  const body = folder[0].repeat(depth - 1) + feed + folder[1].repeat(depth - 1);
  const [open, close] = js2xml({ elements: [{ type: 'element', name: 'opml', attributes: { version: '2.0' }, elements: [{ type: 'element', name: 'body', elements: [{ type: 'text', text: '|' }] }] }] }).split('|');
  return open + body + close;
}

describe('adding many channels at once', () => {
  it('gives exactly the text adding them one by one gives: same splices, same skips', () => {
    const original = readFileSync(path.join(FIX, 'commented.yaml'), 'utf8');
    const entries: ChannelEntry[] = [];
    for (let i = 0; i < 20; i++) {
      entries.push({ group: 'Tech', source: 'Hacker News', channel: `HN ${i}`, url: `https://hnrss.org/x${i}` }); // existing source
      entries.push({ group: 'tech', source: `New ${i % 7}`, channel: `C ${i}`, url: `https://new.example/${i}` }); // existing group by slug, new sources
      entries.push({ group: `Fresh ${i % 5}`, groupSlug: `fresh-${i % 5}`, source: 'S', channel: `C ${i}`, url: `https://fresh.example/${i}` }); // new groups
    }
    entries.push({ group: 'Tech', source: 'Hacker News', channel: 'Dup URL', url: 'HTTPS://HNRSS.org:443/frontpage' });
    entries.push({ group: 'Other', source: 'X', channel: 'Dup in batch', url: 'https://new.example/3' });
    entries.push({ group: 'Tech', source: 'Hacker News', channel: 'front page', url: 'https://hnrss.org/other' });
    entries.push({ group: 'Tech', source: 'Hacker News', channel: 'HN 5', url: 'https://hnrss.org/other2' });
    entries.push({ group: 'Tech', source: 'Hacker News', channel: 'Bad', url: 'feed://nope' });
    entries.push({ group: '新媒体', source: 'woshipm', channel: 'Another', url: 'https://www.woshipm.com/other' });

    const batch = addChannels(original, FILE, entries);
    let text = original;
    const skipped: string[] = [];
    for (const e of entries) {
      try {
        text = addChannel(text, FILE, e).text;
      } catch (err) {
        if (!(err instanceof EditError)) throw err;
        skipped.push(e.channel);
      }
    }
    expect(batch.text).toBe(text);
    expect(batch.skipped.map((s) => s.entry.channel)).toEqual(skipped);
    expect(skipped).toEqual(['Dup URL', 'Dup in batch', 'front page', 'HN 5', 'Bad']);
    expect(batch.skipped[1].reason).toMatch(/already configured as Tech \/ New 3 \/ C 3 \(groups\[1\]\.sources\[5\]\.channels\[0\], added above\)/);
    expect(batch.added.length).toBe(entries.length - 5);
    expect(parseConfig(batch.text, FILE).channels.length).toBe(4 + entries.length - 5);
  });
});

describe('OPML nesting bound', () => {
  it(`reads ${MAX_OPML_DEPTH} levels and refuses one more, with the line`, () => {
    // opml > body > outlines: the feed at the bottom is element number depth + 2.
    expect(planImport(parseOpml(deepOpml(MAX_OPML_DEPTH - 2))).entries.map((e) => e.url)).toEqual(['https://deep.example/rss']);
    expect(() => parseOpml(deepOpml(MAX_OPML_DEPTH - 1))).toThrow(`elements nest deeper than ${MAX_OPML_DEPTH} levels (line 1); refeed reads at most ${MAX_OPML_DEPTH}`);
  });
});

describe('refeed opml import at scale (real processes)', () => {
  let dir: string;
  let config: string;
  let original: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'refeed-opml-scale-'));
    config = path.join(dir, 'refeed.yaml');
    cpSync(path.join(FIX, 'commented.yaml'), config);
    original = readFileSync(config, 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a 100,000-deep OPML is refused with a clear error, the config untouched', async () => {
    const file = path.join(dir, 'deep.opml');
    writeFileSync(file, deepOpml(100_000));
    const r = await runRefeed(['opml', 'import', '-c', config, file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`refeed opml import: ${file}: elements nest deeper than ${MAX_OPML_DEPTH} levels (line 1)`);
    expect(r.stderr).not.toMatch(/call stack/i);
    expect(readFileSync(config, 'utf8')).toBe(original);
  });

  it('Ctrl-C while adding 20,000 feeds stops it and writes nothing', async () => {
    const file = path.join(dir, 'twenty.opml');
    writeFileSync(file, bigOpml(20, 1000));
    const p = startRefeed(['opml', 'import', '-c', config, file]);
    await p.waitFor(/adding the feeds to the configuration/, 25_000);
    p.child.kill('SIGINT');
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.stderr()).toContain(`refeed opml import: interrupted; ${config} not changed`);
    expect(p.stderr()).not.toMatch(/imported \d+ of/);
    expect(readFileSync(config, 'utf8')).toBe(original);
  });

  it('SIGTERM while reading OPML from a stdin that never ends stops it, config untouched', async () => {
    const p = startRefeed(['opml', 'import', '-c', config, '-']);
    p.child.stdin.write(bigOpml(1, 10).slice(0, 200));
    await p.waitFor(/reading the OPML from stdin/);
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.stderr()).toContain(`refeed opml import: interrupted; ${config} not changed`);
    expect(readFileSync(config, 'utf8')).toBe(original);
  });

  it('imports 10,000 outlines in one write, keeping every line of the file', async () => {
    const file = path.join(dir, 'ten.opml');
    writeFileSync(file, bigOpml(10, 1000, 't'));
    const r = await runRefeed(['opml', 'import', '-c', config, file]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain(`imported 10000 of 10000 feeds, 0 skipped; wrote ${config}`);
    // No progress line without a terminal.
    expect(r.stderr).not.toContain('\r');
    const text = readFileSync(config, 'utf8');
    const c = parseConfig(text, config);
    expect(c.channels.length).toBe(4 + 10_000);
    expect(c.channels.at(-1)).toMatchObject({ url: 'https://t9-999.example/rss?x=1&y=2' });
    expect(c.groups.map((g) => g.name).slice(2)).toEqual(Array.from({ length: 10 }, (_, g) => `Folder ${g}`));
    const lines = text.split('\n');
    let at = 0;
    for (const l of original.split('\n')) {
      at = lines.indexOf(l, at);
      expect(at, l).toBeGreaterThanOrEqual(0);
    }
  });

  it('shows its progress on a terminal (stderr), and the summary', async () => {
    const fresh = path.join(dir, 'tty.yaml');
    cpSync(path.join(FIX, 'commented.yaml'), fresh);
    const file = path.join(dir, 'tty.opml');
    writeFileSync(file, bigOpml(2, 1000, 'p'));
    // `script` (util-linux) gives the command a pseudo-terminal, as a person running it has.
    const command = [process.execPath, BIN, 'opml', 'import', '-c', fresh, file].map((a) => `'${a}'`).join(' ');
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO, env: { ...process.env, REFEED_LOG_LEVEL: 'warn' } });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.on('exit', (code) => resolve({ code, text }));
    });
    expect(out.code).toBe(0);
    expect(out.text).toMatch(/\r\x1b\[K\[2000\/2000\] adding/);
    expect(out.text).toContain(`imported 2000 of 2000 feeds, 0 skipped; wrote ${fresh}`);
  });
});
