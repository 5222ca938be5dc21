import { mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openState, feedKeysOf } from '../../src/store/state-db.ts';
import { AtomicWriter, STALE_TEMP_MS, sweepTempFiles, writeFileAtomic } from '../../src/util/atomic-write.ts';
import { articleId, articlePath } from '../../src/store/article-path.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'refeed-store-'));

function row(n: number, slugs: [string, string, string] = ['g', 's', 'c'], date = 1_000 + n) {
  const id = articleId(slugs.join('/'), `guid-${n}`);
  return { id, identity: `guid-${n}`, channelKey: slugs.join('/'), slugs, title: `t${n}`, link: `https://x.example/${slugs.join('-')}/${n}`, date, firstSeen: 5, contentHash: `h${n}`, path: articlePath(slugs, id) };
}

describe('state database', () => {
  it('uses WAL and survives reopening', () => {
    const file = path.join(tmp(), 'state.db');
    const st = openState(file);
    expect(st.db.pragma('journal_mode', { simple: true })).toBe('wal');
    st.ensureChannel('g/s/c', 'https://a.example/feed');
    st.recordSuccess('g/s/c', { now: 10, status: 'new', etag: '"e1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    st.close();
    const again = openState(file);
    const ch = again.getChannel('g/s/c')!;
    expect(ch).toMatchObject({ etag: '"e1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT', lastStatus: 'new', lastSuccessAt: 10, consecutiveFailures: 0 });
    expect(again.db.pragma('integrity_check', { simple: true })).toBe('ok');
    again.close();
  });

  it('counts failures, resets them on success and remembers a permanent redirect', () => {
    const st = openState(':memory:');
    st.ensureChannel('k', 'https://a.example/feed');
    st.recordFailure('k', { now: 1, error: 'timeout: slow', nextRunAt: 100 });
    st.recordFailure('k', { now: 2, error: 'timeout: slow', nextRunAt: 200 });
    expect(st.getChannel('k')).toMatchObject({ consecutiveFailures: 2, lastError: 'timeout: slow', nextRunAt: 200, lastStatus: 'error' });
    st.recordSuccess('k', { now: 3, status: 'unchanged', movedTo: 'https://b.example/feed' });
    expect(st.getChannel('k')).toMatchObject({ consecutiveFailures: 0, url: 'https://b.example/feed' });
    // The moved URL is kept while the config still says the old one…
    expect(st.ensureChannel('k', 'https://a.example/feed').url).toBe('https://b.example/feed');
    // …and an editor's new URL wins, forgetting validators and the 410 flag.
    st.recordFailure('k', { now: 4, error: 'gone', disable: true });
    expect(st.getChannel('k')!.disabled).toBe(true);
    const reset = st.ensureChannel('k', 'https://c.example/feed');
    expect(reset).toMatchObject({ url: 'https://c.example/feed', disabled: false, consecutiveFailures: 0 });
  });

  it('orders feeds newest first with a deterministic tie-break and marks affected feeds dirty', () => {
    const st = openState(':memory:');
    st.upsertArticle(row(1));
    st.upsertArticle(row(2, ['g', 's', 'd']));
    st.upsertArticle(row(3, ['h', 't', 'c'], 1_002)); // same date as row 2
    expect(st.dirtyFeeds()).toEqual(['', 'g', 'g/s', 'g/s/c', 'g/s/d', 'h', 'h/t', 'h/t/c']);
    const merged = st.topArticles('', 10).map((a) => a.identity);
    expect(merged[2]).toBe('guid-1');
    expect(new Set(merged.slice(0, 2))).toEqual(new Set(['guid-2', 'guid-3']));
    expect(st.topArticles('', 10)).toEqual(st.topArticles('', 10));
    expect(st.topArticles('g', 10).map((a) => a.identity)).toEqual(['guid-2', 'guid-1']);
    expect(st.topArticles('g/s/c', 10).map((a) => a.identity)).toEqual(['guid-1']);
    expect(st.topArticles('', 1)).toHaveLength(1);
    st.clearDirty(st.dirtyFeeds());
    expect(st.dirtyFeeds()).toEqual([]);
    expect(feedKeysOf(['a', 'b', 'c'])).toEqual(['', 'a', 'a/b', 'a/b/c']);
  });

  it('stores one article per link', () => {
    const st = openState(':memory:');
    st.upsertArticle(row(1));
    expect(st.findByLink(row(1).link)?.identity).toBe('guid-1');
    expect(() => st.upsertArticle({ ...row(9), link: row(1).link })).toThrow(/UNIQUE/);
  });
});

describe('atomic writes', () => {
  it('replaces files whole and leaves no temp files', () => {
    const dir = tmp();
    const f = path.join(dir, 'a', 'b.xml');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two');
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(path.dirname(f))).toEqual(['b.xml']);
  });

  it('does not rewrite identical bytes', async () => {
    const f = path.join(tmp(), 'x.txt');
    writeFileSync(f, 'same');
    expect(await new AtomicWriter().writeIfChanged(f, Buffer.from('same'))).toBe(false);
    expect(await new AtomicWriter().writeIfChanged(f, Buffer.from('other'))).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('other');
  });

  it('sweeps temp files a killed writer left, but only stale ones', () => {
    const root = tmp();
    mkdirSync(path.join(root, 'articles/g/s'), { recursive: true });
    const stale = [path.join(root, '.tmp-rss.xml-1-a'), path.join(root, 'articles/g/s/.tmp-x.md-2-b')];
    const keep = [path.join(root, '.tmp-atom.xml-3-c'), path.join(root, 'rss.xml'), path.join(root, 'articles/g/s/x.md')];
    for (const f of [...stale, ...keep]) writeFileSync(f, 'x');
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    for (const f of stale) utimesSync(f, old, old);
    expect(sweepTempFiles(root)).toBe(2);
    expect(readdirSync(root).sort()).toEqual(['.tmp-atom.xml-3-c', 'articles', 'rss.xml']);
    expect(readdirSync(path.join(root, 'articles/g/s'))).toEqual(['x.md']);
    expect(sweepTempFiles(path.join(root, 'missing'))).toBe(0);
  });
});
