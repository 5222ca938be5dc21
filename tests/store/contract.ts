import { describe, expect, it } from 'vitest';
import type { ArticleContentWrite, ChannelInput, ItemWrite, RestoredArticle, Store } from '../../src/store/index.ts';
import { rowsHash } from '../../src/store/index.ts';

// What every store must do, whatever keeps the data: run against each
// implementation (store.test.ts for SQLite; the PostgreSQL one when a server
// is available). `place` gives a fresh, empty place (a file, a database);
// `place.open()` opens a store on it, as often as a test needs.

export interface StorePlace {
  open(): Promise<Store>;
}

const NOW = Date.UTC(2024, 0, 1);

export function channel(key: string, url = `https://${key.replaceAll('/', '-')}.example/feed`, names?: [string, string, string]): ChannelInput {
  const [g, s, c] = key.split('/');
  return { key, url, names: names ?? [g.toUpperCase(), s.toUpperCase(), c.toUpperCase()] };
}

export function item(itemKey: string, o: { link?: string; title?: string; date?: number; hash?: string; categories?: string[] } = {}): ItemWrite {
  const article: ArticleContentWrite = {
    itemKey,
    title: o.title ?? `title ${itemKey}`,
    ...(o.link ? { link: o.link } : {}),
    author: 'a',
    headimg: '',
    categories: o.categories ?? ['G', 'S', 'C'],
    html: `<p>${itemKey}</p>`,
    tags: [],
    enclosures: [],
    date: o.date ?? NOW,
    contentHash: o.hash ?? `h-${itemKey}-${o.title ?? ''}-${o.link ?? ''}`,
  };
  return { itemKey, ...(o.link ? { link: o.link } : {}), firstSeen: NOW, article };
}

const ok = { now: NOW, status: 'new' as const };

export function storeContract(name: string, place: () => Promise<StorePlace>): void {
  const open = async () => (await place()).open();
  describe(`store contract: ${name}`, () => {
    it('keeps channel state: failures counted, reset by a success, a permanent redirect remembered, a config URL edit winning', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c', 'https://a.example/feed')], NOW);
      await st.recordFailure('g/s/c', { now: 1, error: 'timeout: slow', nextRunAt: 100 });
      await st.recordFailure('g/s/c', { now: 2, error: 'timeout: slow', nextRunAt: 200 });
      expect(await st.channelState('g/s/c')).toMatchObject({ consecutiveFailures: 2, lastError: 'timeout: slow', nextRunAt: 200, lastStatus: 'error' });
      await st.recordSuccess('g/s/c', { now: 3, status: 'unchanged', movedTo: 'https://b.example/feed', etag: '"e"' });
      expect(await st.channelState('g/s/c')).toMatchObject({ consecutiveFailures: 0, url: 'https://b.example/feed', etag: '"e"', lastSuccessAt: 3 });
      // The moved URL is kept while the config still says the old one…
      await st.syncChannels([channel('g/s/c', 'https://a.example/feed')], NOW);
      expect((await st.channelState('g/s/c'))!.url).toBe('https://b.example/feed');
      // …and an editor's new URL wins, forgetting validators and the 410 flag.
      await st.recordFailure('g/s/c', { now: 4, error: 'gone', disable: true });
      await st.syncChannels([channel('g/s/c', 'https://c.example/feed')], NOW);
      expect(await st.channelState('g/s/c')).toMatchObject({ url: 'https://c.example/feed', disabled: false, consecutiveFailures: 0 });
      expect((await st.channelState('g/s/c'))!.etag).toBeUndefined();
      await st.close();
    });

    it('keeps what a full fetch said of the source feed (image, WebSub hubs, self) until the next full fetch (issue 22)', async () => {
      const st = await (await place()).open();
      await st.syncChannels([channel('g/s/c'), channel('g/s/d')], NOW);
      expect((await st.channelState('g/s/c'))?.meta).toBeUndefined();
      const meta = { image: 'https://c.example/icon.png', hubs: ['https://hub.example/a', 'https://hub.example/b'], self: 'https://c.example/feed' };
      await st.commitItems('g/s/c', [item('x')], { ...ok, meta });
      expect((await st.channelState('g/s/c'))?.meta).toEqual(meta);
      expect((await st.channelStates()).map((s) => s.meta)).toEqual([meta, undefined]);
      await st.recordSuccess('g/s/c', { now: NOW + 1, status: 'not-modified' });
      expect((await st.channelState('g/s/c'))?.meta).toEqual(meta);
      await st.recordSuccess('g/s/c', { now: NOW + 2, status: 'unchanged', meta: { image: 'https://c.example/new.png' } });
      expect((await st.channelState('g/s/c'))?.meta).toEqual({ image: 'https://c.example/new.png' });
      await st.close();
    });

    it('remembers each new entry\'s content key, per channel (issue 20: feeds that regenerate guids)', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c'), channel('g/s/d')], NOW);
      await st.commitItems('g/s/c', [{ ...item('guid-1'), contentKey: 'k1' }, item('guid-2')], ok);
      await st.commitItems('g/s/d', [{ ...item('guid-9'), contentKey: 'k9' }], ok);
      expect(await st.knownContent('g/s/c', ['k1', 'k9', 'k-none'])).toEqual(new Map([['k1', 'guid-1']]));
      expect(await st.knownContent('g/s/d', ['k1', 'k9'])).toEqual(new Map([['k9', 'guid-9']]));
      expect(await st.knownContent('g/s/c', [])).toEqual(new Map());
      expect(await st.knownContent('no/such/channel', ['k1'])).toEqual(new Map());
      await st.close();
    });

    it('takes back the success a failed pass recorded, when told to (issue 20: health and lastSuccessAt agree)', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c')], NOW);
      await st.recordSuccess('g/s/c', { now: 10, status: 'new' });
      await st.recordSuccess('g/s/c', { now: 20, status: 'new' });
      await st.recordFailure('g/s/c', { now: 20, error: 'disk: no space left on device writing /x', lastSuccessAt: 10 });
      expect(await st.channelState('g/s/c')).toMatchObject({ lastSuccessAt: 10, lastError: 'disk: no space left on device writing /x', consecutiveFailures: 1 });
      await st.recordFailure('g/s/c', { now: 30, error: 'timeout: slow' });
      expect((await st.channelState('g/s/c'))!.lastSuccessAt).toBe(10);
      await st.recordFailure('g/s/c', { now: 40, error: 'disk: …', lastSuccessAt: null });
      expect((await st.channelState('g/s/c'))!.lastSuccessAt).toBeUndefined();
      await st.close();
    });

    it('lists a feed newest first, ties by id, each article once, and marks the feeds a change touches dirty', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c'), channel('g/s/d'), channel('h/t/c')], NOW);
      await st.commitItems('g/s/c', [item('1', { date: 1000 })], ok);
      await st.commitItems('g/s/d', [item('2', { date: 1002 })], ok);
      await st.commitItems('h/t/c', [item('3', { date: 1002 })], ok);
      expect(await st.dirtyFeeds()).toEqual(['', 'g', 'g/s', 'g/s/c', 'g/s/d', 'h', 'h/t', 'h/t/c']);
      const merged = (await st.topArticles('', 10)).map((a) => a.itemKey);
      expect(merged[2]).toBe('1');
      expect(new Set(merged.slice(0, 2))).toEqual(new Set(['2', '3']));
      expect(await st.topArticles('', 10)).toEqual(await st.topArticles('', 10));
      expect((await st.topArticles('g', 10)).map((a) => a.itemKey)).toEqual(['2', '1']);
      expect((await st.topArticles('g/s/c', 10)).map((a) => a.itemKey)).toEqual(['1']);
      expect(await st.topArticles('', 1)).toHaveLength(1);
      const g = await st.topArticles('g', 10);
      await st.commitPublish({ ledger: [['g', { specHash: 's', rowsHash: rowsHash(g) }]], clearIfUnchanged: [{ key: 'g', limit: 10, rowsHash: rowsHash(g) }], clear: [] });
      expect(await st.dirtyFeeds()).not.toContain('g');
      expect((await st.ledger()).get('g')).toEqual({ specHash: 's', rowsHash: rowsHash(g) });
      // A stale hash (rows changed since the feed was built) keeps the feed dirty.
      await st.commitPublish({ ledger: [], clearIfUnchanged: [{ key: 'h', limit: 10, rowsHash: 'stale' }], clear: ['h/t'] });
      expect(await st.dirtyFeeds()).toContain('h');
      expect(await st.dirtyFeeds()).not.toContain('h/t');
      await st.close();
    });

    it('stores an article once per link, listed in every channel that carries it, content from the first configured', async () => {
      const st = await open();
      await st.syncChannels([channel('g/a/one'), channel('g/b/two')], NOW);
      // The later-configured channel happens to be fetched first.
      const two = await st.commitItems('g/b/two', [item('b-guid', { link: 'https://x.example/p', title: 'from two', categories: ['G', 'B', 'TWO'] })], ok);
      expect(two).toMatchObject({ newItems: 1, duplicates: 0 });
      const one = await st.commitItems('g/a/one', [item('a-guid', { link: 'https://x.example/p', title: 'from one', categories: ['G', 'A', 'ONE'] })], ok);
      expect(one).toMatchObject({ newItems: 0, duplicates: 1 });
      // Same id whichever came first (it is the link's); owner, content and folder are the first configured channel's.
      expect(one.files).toHaveLength(1);
      expect(one.files[0]).toMatchObject({ articleId: two.files[0].articleId, path: expect.stringMatching(/^articles\/g\/a\//), oldPath: two.files[0].path });
      expect(await st.countArticles()).toBe(1);
      for (const key of ['', 'g', 'g/a', 'g/a/one', 'g/b', 'g/b/two']) expect((await st.topArticles(key, 10)).map((a) => a.title), key).toEqual(['from one']);
      // The other channel listing it again changes nothing.
      expect((await st.commitItems('g/b/two', [item('b-guid', { link: 'https://x.example/p', title: 'from two v2' })], ok)).files).toEqual([]);
      expect((await st.knownItems('g/b/two', ['b-guid', 'nope'])).get('b-guid')).toMatchObject({ owned: false });
      await st.close();
    });

    it('keeps both articles right when a link moves from one item to another (and the channel keeps working)', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/a'), channel('g/s/b')], NOW);
      await st.commitItems('g/s/a', [item('ga1', { link: 'https://x.example/A1', title: 'A1' })], ok);
      await st.commitItems('g/s/b', [item('gb1', { link: 'https://x.example/B1', title: 'B1' })], ok);
      // B's item now points at A1, and B adds an item.
      const r = await st.commitItems('g/s/b', [item('gb1', { link: 'https://x.example/A1', title: 'B1 moved' }), item('gb3', { link: 'https://x.example/B3', title: 'B3' })], ok);
      expect(r).toMatchObject({ newItems: 1, updatedItems: 1 });
      expect((await st.topArticles('g/s/b', 10)).map((a) => a.title).sort()).toEqual(['B1 moved', 'B3']);
      expect((await st.topArticles('g/s/a', 10)).map((a) => a.title)).toEqual(['A1']);
      // A new item with a link an article had before gets an id of its own.
      const again = await st.commitItems('g/s/b', [item('gb4', { link: 'https://x.example/B1', title: 'B1 again' })], ok);
      expect(again.newItems).toBe(1);
      expect(new Set((await st.topArticles('', 10)).map((a) => a.id)).size).toBe(4);
      await st.close();
    });

    it('moves a renamed channel\'s history and files with it, and keeps a removed one\'s', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/old', 'https://same.example/feed', ['G', 'S', 'Old'])], NOW);
      const first = await st.commitItems('g/s/old', [item('1', { link: 'https://x.example/1' })], ok);
      await st.markFilesWritten(first.files.map((f) => ({ id: f.articleId, contentHash: f.contentHash, expectHash: f.contentHash })));
      const id = (await st.channelState('g/s/old'))!.id;
      // Renamed (new name, so a new slug), same URL: same channel.
      const preview = await st.previewSync([channel('h/t/new', 'https://same.example/feed', ['H', 'T', 'New'])]);
      expect(preview.renamed).toEqual([{ from: 'g/s/old', to: 'h/t/new', articles: 1 }]);
      expect(await st.channelState('g/s/old')).toBeDefined(); // a preview changes nothing
      const sync = await st.syncChannels([channel('h/t/new', 'https://same.example/feed', ['H', 'T', 'New'])], NOW);
      expect(sync.renamed).toEqual([{ from: 'g/s/old', to: 'h/t/new', articles: 1 }]);
      expect((await st.channelState('h/t/new'))!.id).toBe(id);
      expect(await st.channelState('g/s/old')).toBeUndefined();
      expect((await st.topArticles('h/t/new', 10)).map((a) => a.itemKey)).toEqual(['1']);
      const [pending] = await st.pendingFiles(10);
      expect(pending).toMatchObject({ path: expect.stringMatching(/^articles\/h\/t\//), oldPath: first.files[0].path });
      expect(pending.content.categories).toEqual(['H', 'T', 'New']);
      // Removed: out of every feed, but kept; added back (same URL): its history returns.
      expect((await st.syncChannels([], NOW)).removed).toEqual(['h/t/new']);
      expect(await st.topArticles('', 10)).toEqual([]);
      expect(await st.countArticles()).toBe(1);
      await st.syncChannels([channel('h/t/new', 'https://same.example/feed', ['H', 'T', 'New'])], NOW);
      expect((await st.channelState('h/t/new'))!.id).toBe(id);
      expect((await st.topArticles('', 10)).map((a) => a.itemKey)).toEqual(['1']);
      await st.close();
    });

    it('passes an article to the next channel listing it when its owner is removed', async () => {
      const st = await open();
      await st.syncChannels([channel('g/a/one'), channel('g/b/two')], NOW);
      await st.commitItems('g/a/one', [item('x', { link: 'https://x.example/shared' })], ok);
      await st.commitItems('g/b/two', [item('y', { link: 'https://x.example/shared' })], ok);
      await st.syncChannels([channel('g/b/two')], NOW);
      expect((await st.topArticles('', 10)).map((a) => a.link)).toEqual(['https://x.example/shared']);
      expect((await st.topArticles('g/b/two', 10)).map((a) => a.link)).toEqual(['https://x.example/shared']);
      const [pending] = (await st.pendingFiles(10)).filter((p) => p.path.startsWith('articles/g/b/'));
      expect(pending.content.categories).toEqual(['G', 'B', 'TWO']);
      await st.close();
    });

    it('keeps the feed fragments a commit gives, by version, until the content they come from changes; a publish\'s only for the content it read', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c'), channel('g/s/d')], NOW);
      const frag = (v: string, text: string) => ({ version: v, id: `id-${text}`, rss: Buffer.from(`<item>${text}</item>`), atom: Buffer.from(`<entry>${text}</entry>`), json: Buffer.from(`{"t":"${text}"}`) });
      const withFragments = (w: ItemWrite, f: ReturnType<typeof frag>): ItemWrite => ({ ...w, article: { ...w.article, fragments: f } });
      const r = await st.commitItems('g/s/c', [withFragments(item('1'), frag('v1', 'one')), item('2')], ok);
      const [one, two] = r.files.map((f) => f.articleId);
      const got = await st.itemFragments([one, two], 'v1');
      expect([...got.keys()]).toEqual([one]);
      expect(Buffer.from(got.get(one)!.rss).toString()).toBe('<item>one</item>');
      expect(got.get(one)).toMatchObject({ version: 'v1', id: 'id-one' });
      expect(await st.itemFragments([one], 'v2')).toEqual(new Map());

      // New content (here without fragments) drops those of the old.
      await st.commitItems('g/s/c', [item('1', { title: 'changed' })], ok);
      expect(await st.itemFragments([one], 'v1')).toEqual(new Map());

      // A publish's fragments are kept only while the row has the content hash and categories it read.
      const [row2] = (await st.topArticles('g/s/c', 10)).filter((a) => a.id === two);
      await st.setItemFragments([{ id: two, contentHash: 'stale', categories: ['G', 'S', 'C'], fragments: frag('v1', 'stale') }]);
      expect(await st.itemFragments([two], 'v1')).toEqual(new Map());
      await st.setItemFragments([{ id: two, contentHash: row2.contentHash, categories: ['G', 'S', 'C'], fragments: frag('v1', 'two') }]);
      expect((await st.itemFragments([two], 'v1')).get(two)).toMatchObject({ id: 'id-two' });
      // A rename gives the article new categories: its fragments go.
      await st.syncChannels([channel('g/s/c', undefined, ['G', 'S', 'RENAMED']), channel('g/s/d')], NOW);
      expect(await st.itemFragments([two], 'v1')).toEqual(new Map());
      await st.close();
    });

    it('keeps an article file pending until it is recorded written', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c')], NOW);
      const r = await st.commitItems('g/s/c', [item('1')], ok);
      expect((await st.pendingFiles(10)).map((p) => p.id)).toEqual([r.files[0].articleId]);
      // The store is the truth: its content is there before any file is written.
      expect((await st.articleContent([r.files[0].articleId])).get(r.files[0].articleId)).toMatchObject({ title: 'title 1' });
      await st.markFilesWritten([{ id: r.files[0].articleId, contentHash: r.files[0].contentHash, expectHash: r.files[0].contentHash }]);
      expect(await st.pendingFiles(10)).toEqual([]);
      expect((await st.articleContent([r.files[0].articleId])).get(r.files[0].articleId)).toMatchObject({ title: 'title 1' });
      await st.close();
    });

    it('keeps an article\'s enclosures, tags, summary, updated date and guid permalink through commit, pending file, cache and restore', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c')], NOW);
      const extra = {
        guid: 'ep-1',
        guidIsPermaLink: false,
        updated: new Date(NOW + 60_000),
        summary: 'The first episode.',
        tags: ['Technology', '播客'],
        enclosures: [
          { url: 'https://cdn.example/ep1.mp3', type: 'audio/mpeg', length: 34_216_300, duration: 2_052 },
          { url: 'https://cdn.example/ep1.pdf', type: 'application/pdf' },
        ],
      };
      const write = item('ep-1');
      const r = await st.commitItems('g/s/c', [{ ...write, article: { ...write.article, ...extra } }], ok);
      const id = r.files[0].articleId;
      const [pending] = await st.pendingFiles(10);
      expect(pending.content).toMatchObject(extra);
      await st.markFilesWritten([{ id, contentHash: r.files[0].contentHash, expectHash: r.files[0].contentHash }]);
      const cached = (await st.articleContent([id])).get(id)!;
      expect(cached).toMatchObject(extra);
      // New content of the article replaces them all.
      await st.commitItems('g/s/c', [{ ...write, article: { ...write.article, ...extra, contentHash: 'h-edited', tags: ['Edited'], enclosures: [], summary: undefined } }], ok);
      const edited = (await st.articleContent([id])).get(id)!;
      expect(edited).toMatchObject({ tags: ['Edited'], enclosures: [], guidIsPermaLink: false });
      expect(edited.summary).toBeUndefined();
      // An article read back from its file keeps them too.
      const restored = { ...cached, tags: ['Restored'] };
      expect(
        await st.restoreArticles([{ channelKey: 'g/s/c', itemKey: 'r-1', id: 'r'.repeat(40), path: 'articles/g/s/rrrr.md', firstSeen: NOW, contentHash: 'hr', content: restored }]),
      ).toBe(1);
      expect((await st.articleContent(['r'.repeat(40)])).get('r'.repeat(40))).toMatchObject({ tags: ['Restored'], enclosures: extra.enclosures });
      await st.close();
    });

    it('puts back articles read from their files without touching what it holds: same ids, once, on a full or empty store', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c')], NOW);
      const r = await st.commitItems('g/s/c', [item('k1', { link: 'https://x.example/1' }), item('hash:abc'), item('k3')], ok);
      const [a1, a2, a3] = r.files;
      const restored = (f: typeof a1, over: Partial<RestoredArticle> = {}): RestoredArticle => ({
        channelKey: 'g/s/c',
        itemKey: f.itemKey,
        id: f.articleId,
        path: f.path,
        firstSeen: NOW,
        contentHash: f.contentHash,
        content: { title: `title ${f.itemKey}`, categories: ['G', 'S', 'C'], headimg: '', author: 'a', date: new Date(NOW), html: '<p>x</p>', tags: [], enclosures: [] },
        ...over,
      });
      const top = await st.topArticles('', 10);
      // A full store: every one known, by its id, or (a file from before stamps) by the id its name abbreviates, under any key.
      expect(await st.restoreArticles([restored(a1), restored(a2), restored(a3, { id: a3.articleId.slice(0, 20), itemKey: `file:${a3.articleId.slice(0, 20)}` })])).toBe(0);
      expect(await st.topArticles('', 10)).toEqual(top);
      // An empty store gets each once, under the same ids; a second pass finds them all.
      const empty = await open();
      await empty.syncChannels([channel('g/s/c')], NOW);
      const files = [restored(a1), restored(a2), restored(a3), restored(a2)];
      expect(await empty.restoreArticles(files)).toBe(3);
      expect(await empty.restoreArticles(files)).toBe(0);
      expect((await empty.topArticles('', 10)).map((a) => a.id).sort()).toEqual(top.map((a) => a.id).sort());
      expect([...(await empty.knownItems('g/s/c', ['k1', 'hash:abc', 'k3'])).keys()].sort()).toEqual(['hash:abc', 'k1', 'k3']);
      await empty.close();
      await st.close();
    });

    it('lets one run hold the run lock at a time', async () => {
      const where = await place();
      const st = await where.open();
      const a = await st.acquireRunLock({ waitMs: 0, what: 'test a' });
      expect(a.acquired).toBe(true);
      const other = await where.open();
      // Told once, when the wait begins, who holds it (the CLI says so at once: issue 22).
      const waits: string[] = [];
      const b = await other.acquireRunLock({ waitMs: 50, what: 'test b', onWait: (h) => waits.push(h) });
      expect(b).toMatchObject({ acquired: false, holder: expect.stringContaining('test a') });
      expect(waits).toEqual([expect.stringContaining('test a')]);
      if (a.acquired) await a.release();
      const c = await other.acquireRunLock({ waitMs: 0, what: 'test c', onWait: (h) => waits.push(h) });
      expect(waits).toHaveLength(1);
      expect(c.acquired).toBe(true);
      if (c.acquired) await c.release();
      await other.close();
      await st.close();
    });
    it('keeps full-text entries by link: an article or a failure, replaced by the next attempt, across reopening', async () => {
      const where = await place();
      const st = await where.open();
      expect(await st.fullTextEntries([])).toEqual(new Map());
      await st.saveFullText([
        { link: 'https://a.example/1', mode: 'readability', html: '<p>full ünïcode</p>', image: 'https://a.example/i.png', failures: 0, at: 10 },
        { link: 'https://a.example/2', mode: 'article .body', error: 'http-status: HTTP 404 Not Found from https://a.example/2', failures: 1, at: 11 },
      ]);
      await st.saveFullText([{ link: 'https://a.example/2', mode: 'article .body', error: 'timeout: slow', failures: 2, at: 12 }]);
      await st.close();
      const again = await where.open();
      const got = await again.fullTextEntries(['https://a.example/1', 'https://a.example/2', 'https://a.example/none']);
      expect([...got.keys()].sort()).toEqual(['https://a.example/1', 'https://a.example/2']);
      expect(got.get('https://a.example/1')).toEqual({ link: 'https://a.example/1', mode: 'readability', html: '<p>full ünïcode</p>', image: 'https://a.example/i.png', failures: 0, at: 10 });
      expect(got.get('https://a.example/2')).toEqual({ link: 'https://a.example/2', mode: 'article .body', error: 'timeout: slow', failures: 2, at: 12 });
      await again.close();
    });

    it('forgets full-text entries whose link no article has, once older than asked', async () => {
      const st = await open();
      await st.syncChannels([channel('g/s/c')], NOW);
      await st.commitItems('g/s/c', [item('kept', { link: 'https://a.example/kept' })], ok);
      const entry = (link: string, at: number) => ({ link, mode: 'readability', html: '<p>x</p>', failures: 0, at });
      await st.saveFullText([entry('https://a.example/kept', 10), entry('https://a.example/gone', 10), entry('https://a.example/recent', 1000)]);
      expect(await st.pruneFullText(500)).toBe(1);
      expect([...(await st.fullTextEntries(['https://a.example/kept', 'https://a.example/gone', 'https://a.example/recent'])).keys()].sort()).toEqual([
        'https://a.example/kept',
        'https://a.example/recent',
      ]);
      await st.close();
    });
  });
}
