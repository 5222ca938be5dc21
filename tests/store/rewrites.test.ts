
import { afterAll, describe, expect, it } from 'vitest';
import { type ItemWrite, } from '../../src/store/index.ts';
import { channel, item } from './contract.ts';
import { engineStores } from './engine-stores.ts';

// Issue 21: what the stores keep for rewrites to be applied again — each
// article's original, each channel's rewrites fingerprint — and the rewrite
// of owned articles (guarded by content hash and ownership; fragments
// dropped, files pending, feeds dirty). The same on SQLite and PostgreSQL.

const stores = await engineStores('rewrites');
const open = stores.open;
afterAll(stores.close);

const NOW = Date.UTC(2024, 0, 1);
const ok = { now: NOW, status: 'new' as const };
const frag = { version: 'v1', id: 'i', rss: Buffer.from('r'), atom: Buffer.from('a'), json: Buffer.from('j') };

function withOriginal(w: ItemWrite, original: { title: string; html: string; image?: string }): ItemWrite {
  return { ...w, article: { ...w.article, original, fragments: frag } };
}

describe.each(stores.engines)('rewrites in the %s store', (engine) => {
  it('keeps originals, lists owned articles by id, rewrites them only while unchanged and owned, and records the fingerprint', async () => {
    const st = await open(engine);
    await st.syncChannels([channel('g/s/c'), channel('g/s/d')], NOW);
    expect((await st.channelState('g/s/c'))?.rewrites).toBeUndefined();
    const a = withOriginal(item('a', { link: 'https://x.example/a', title: 'A rewritten' }), { title: 'A', html: '<p>a</p><img src="https://x.example/p.gif">', image: 'https://x.example/e.png' });
    const b = withOriginal(item('b', { link: 'https://x.example/b' }), { title: 'title b', html: '<p>b</p>' });
    const c1 = await st.commitItems('g/s/c', [a, b], ok);
    // d lists a too (same link: stored once, owned by c) and has one of its own.
    const d1 = await st.commitItems('g/s/d', [item('a2', { link: 'https://x.example/a' }), item('own', { link: 'https://x.example/own' })], ok);
    const ids = Object.fromEntries(c1.files.map((f) => [f.itemKey, f.articleId]));
    const ownId = d1.files.find((f) => f.itemKey === 'own')!.articleId;
    await st.markFilesWritten([...c1.files, ...d1.files].map((f) => ({ id: f.articleId, contentHash: f.contentHash, expectHash: f.contentHash })));
    await st.commitPublish({ ledger: [], clearIfUnchanged: [], clear: await st.dirtyFeeds() });
    expect((await st.itemFragments([ids.a], 'v1')).size).toBe(1);

    const owned = await st.ownedArticles('g/s/c', '', 10);
    expect(owned.map((o) => o.id)).toEqual([ids.a, ids.b].sort());
    const oa = owned.find((o) => o.id === ids.a)!;
    expect(oa).toMatchObject({ itemKey: 'a', contentHash: a.article.contentHash, content: { title: 'A rewritten', html: '<p>a</p>' } });
    expect(oa.original).toEqual({ title: 'A', html: '<p>a</p><img src="https://x.example/p.gif">', image: 'https://x.example/e.png' });
    // What equals the article is not stored twice, and reads back whole.
    expect(owned.find((o) => o.id === ids.b)!.original).toEqual({ title: 'title b', html: '<p>b</p>' });
    // Paged by id; another channel's articles are not its own; content without an original has none.
    expect((await st.ownedArticles('g/s/c', [ids.a, ids.b].sort()[0], 10)).length).toBe(1);
    expect((await st.ownedArticles('g/s/c', '', 1)).length).toBe(1);
    const ownedByD = await st.ownedArticles('g/s/d', '', 10);
    expect(ownedByD.map((o) => o.id)).toEqual([ownId]);
    expect(ownedByD[0].original).toBeUndefined();

    const rewrite = { id: ids.a, contentHash: 'h-new', title: 'A again', html: '<p>a</p><img src="https://x.example/p.gif">', headimg: 'https://x.example/p.gif', original: oa.original! };
    // Changed meanwhile, or not the channel's: nothing happens.
    expect(await st.rewriteArticles('g/s/c', [{ ...rewrite, expectHash: 'stale' }])).toBe(0);
    expect(await st.rewriteArticles('g/s/d', [{ ...rewrite, expectHash: oa.contentHash }])).toBe(0);
    expect(await st.dirtyFeeds()).toEqual([]);
    expect(await st.rewriteArticles('g/s/c', [{ ...rewrite, expectHash: oa.contentHash }])).toBe(1);
    expect((await st.articleContent([ids.a])).get(ids.a)).toMatchObject({ title: 'A again', headimg: 'https://x.example/p.gif', html: rewrite.html });
    // Its fragments go with its old content, its file is behind, every feed listing it (d's too) is dirty.
    expect((await st.itemFragments([ids.a], 'v1')).size).toBe(0);
    expect((await st.pendingFiles(10)).map((p) => [p.id, p.contentHash])).toEqual([[ids.a, 'h-new']]);
    expect((await st.dirtyFeeds()).sort()).toEqual(['', 'g', 'g/s', 'g/s/c', 'g/s/d']);
    expect((await st.ownedArticles('g/s/c', '', 10)).find((o) => o.id === ids.a)!.original).toEqual(oa.original);

    await st.setRewrites('g/s/c', 'fp-1');
    expect((await st.channelState('g/s/c'))?.rewrites).toBe('fp-1');
    expect((await st.channelStates()).map((s) => s.rewrites)).toEqual(['fp-1', undefined]);
    await st.setRewrites('g/s/c', '');
    expect((await st.channelState('g/s/c'))?.rewrites).toBeUndefined();
  });
});
