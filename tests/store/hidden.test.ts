
import { afterAll, describe, expect, it } from 'vitest';
import { channel, item } from './contract.ts';
import { engineStores } from './engine-stores.ts';

// Issue 21: what the stores keep for article files to follow the keep/block
// rules — each article's hidden flag, each channel's rules fingerprint — and
// hiding or showing owned articles (guarded by content hash and ownership;
// hidden ones never pending, their written files listed until removed, shown
// ones pending again, feeds untouched). The same on SQLite and PostgreSQL.

const stores = await engineStores('hidden');
const open = stores.open;
afterAll(stores.close);

const NOW = Date.UTC(2024, 0, 1);
const ok = { now: NOW, status: 'new' as const };

describe.each(stores.engines)('hidden articles in the %s store', (engine) => {
  it('stores a hidden item without a pending file, hides and shows owned articles only while unchanged and owned, and records the fingerprint', async () => {
    const st = await open(engine);
    await st.syncChannels([channel('g/s/c'), channel('g/s/d')], NOW);
    expect((await st.channelState('g/s/c'))?.rules).toBeUndefined();
    const c1 = await st.commitItems('g/s/c', [item('a', { link: 'https://x.example/a' }), { ...item('b', { link: 'https://x.example/b' }), hidden: true }], ok);
    const d1 = await st.commitItems('g/s/d', [item('own', { link: 'https://x.example/own' })], ok);
    const ids = Object.fromEntries([...c1.files, ...d1.files].map((f) => [f.itemKey, f.articleId]));
    // The hidden item's file is one to remove, not to write; it is never pending.
    expect(c1.files.find((f) => f.itemKey === 'b')).toMatchObject({ hidden: true });
    expect(c1.files.find((f) => f.itemKey === 'a')!.hidden).toBeUndefined();
    expect((await st.pendingFiles(10)).map((p) => p.id).sort()).toEqual([ids.a, ids.own].sort());
    // Never written, it has no file to remove.
    expect(await st.hiddenFiles(10)).toEqual([]);
    // As writeCommittedFiles does: the hidden one's file is not written.
    await st.markFilesWritten([...c1.files, ...d1.files].filter((f) => !f.hidden).map((f) => ({ id: f.articleId, contentHash: f.contentHash, expectHash: f.contentHash })));
    await st.commitPublish({ ledger: [], clearIfUnchanged: [], clear: await st.dirtyFeeds() });
    expect(await st.pendingFiles(10)).toEqual([]);

    const owned = await st.ownedArticles('g/s/c', '', 10);
    expect(Object.fromEntries(owned.map((o) => [o.itemKey, o.hidden]))).toEqual({ a: false, b: true });
    const a = owned.find((o) => o.itemKey === 'a')!;
    // Changed meanwhile, or not the channel's: nothing happens.
    expect(await st.hideArticles('g/s/c', [{ id: ids.a, hidden: true, expectHash: 'stale' }])).toBe(0);
    expect(await st.hideArticles('g/s/d', [{ id: ids.a, hidden: true, expectHash: a.contentHash }])).toBe(0);
    expect((await st.ownedArticles('g/s/c', '', 10)).find((o) => o.id === ids.a)!.hidden).toBe(false);
    // Hidden: its written file is listed for removal until recorded removed; it is not pending; the feeds are not touched (the publisher judges them).
    expect(await st.hideArticles('g/s/c', [{ id: ids.a, hidden: true, expectHash: a.contentHash }])).toBe(1);
    expect(await st.hiddenFiles(10)).toEqual([{ id: ids.a, path: c1.files[0].path }]);
    expect(await st.pendingFiles(10)).toEqual([]);
    expect(await st.dirtyFeeds()).toEqual([]);
    await st.markFilesRemoved([ids.a, ids.own]);
    expect(await st.hiddenFiles(10)).toEqual([]);
    // Only a hidden article's file is recorded removed: the shown one is not pending.
    expect(await st.pendingFiles(10)).toEqual([]);
    // Already hidden: no change.
    expect(await st.hideArticles('g/s/c', [{ id: ids.a, hidden: true, expectHash: a.contentHash }])).toBe(0);
    // Shown again: its file is pending, with the content the store has.
    expect(await st.hideArticles('g/s/c', [{ id: ids.a, hidden: false, expectHash: a.contentHash }])).toBe(1);
    const pending = await st.pendingFiles(10);
    expect(pending.map((p) => [p.id, p.contentHash])).toEqual([[ids.a, a.contentHash]]);
    expect(pending[0].content).toEqual(a.content);
    expect((await st.ownedArticles('g/s/c', '', 10)).map((o) => o.hidden).sort()).toEqual([false, true]);

    // A commit that hides an article with a written file: listed for removal; one that shows it: pending.
    await st.markFilesWritten(pending.map((p) => ({ id: p.id, contentHash: p.contentHash, expectHash: p.contentHash })));
    const hid = await st.commitItems('g/s/c', [{ ...item('a', { link: 'https://x.example/a', title: 'A sponsored' }), hidden: true }], ok);
    expect(hid.files).toMatchObject([{ articleId: ids.a, hidden: true }]);
    expect(await st.hiddenFiles(10)).toEqual([{ id: ids.a, path: c1.files[0].path }]);
    expect(await st.pendingFiles(10)).toEqual([]);
    await st.markFilesRemoved([ids.a]);
    await st.commitItems('g/s/c', [item('a', { link: 'https://x.example/a', title: 'A again' })], ok);
    expect(await st.hiddenFiles(10)).toEqual([]);
    expect((await st.pendingFiles(10)).map((p) => [p.id, p.content.title])).toEqual([[ids.a, 'A again']]);

    await st.setRules('g/s/c', 'fp-1');
    expect((await st.channelState('g/s/c'))?.rules).toBe('fp-1');
    expect((await st.channelStates()).map((s) => s.rules)).toEqual(['fp-1', undefined]);
    await st.setRules('g/s/c', '');
    expect((await st.channelState('g/s/c'))?.rules).toBeUndefined();
  });
});
