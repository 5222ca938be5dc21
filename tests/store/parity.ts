import type { ArticleContent } from '../../src/core/types.ts';
import type { Store } from '../../src/store/index.ts';
import { rowsHash } from '../../src/store/index.ts';
import { channel, item } from './contract.ts';

// One script of store operations, run on each implementation, returning
// everything each call answered: two stores with the same semantics give
// equal logs. It goes where the contract tests do not (ensureChannel on an
// existing channel, restoreArticles, the content cache, several channels
// renamed and removed at once, shared articles passing between them).

const T = Date.UTC(2024, 0, 1);
const ok = { now: T, status: 'new' as const };

function content(title: string): ArticleContent {
  return { title, categories: ['X', 'Y', 'Z'], headimg: '', author: 'a', date: new Date(T), html: `<p>${title}</p>`, tags: [], enclosures: [] };
}

export async function paritySequence(st: Store): Promise<unknown[]> {
  const log: unknown[] = [];
  const note = (what: string, v: unknown) => log.push([what, v]);
  const pending = async () => (await st.pendingFiles(1000)).sort((a, b) => (a.id < b.id ? -1 : 1));
  const feeds = async () => {
    const out: Record<string, unknown> = {};
    for (const k of ['', 'g', 'g/a', 'g/a/one', 'g/b', 'g/b/two', 'g/b/deux', 'h', 'h/c/three', 'k/d/four']) out[k] = await st.topArticles(k, 4);
    return out;
  };

  note('sync', await st.syncChannels([channel('g/a/one'), channel('g/b/two'), channel('h/c/three'), channel('k/d/four')], T));
  const shared = (n: number, title: string) => item(`s${n}-${title}`, { link: `https://x.example/s${n}`, title, date: T + n });
  note('four', await st.commitItems('k/d/four', [shared(1, 'four'), shared(2, 'four'), item('f-own', { date: T + 50 })], ok));
  note('two', await st.commitItems('g/b/two', [shared(2, 'two'), shared(3, 'two'), shared(4, 'two'), item('t-own', { link: 'https://x.example/t' })], ok));
  note('one', await st.commitItems('g/a/one', [shared(3, 'one'), shared(1, 'one'), item('o-own', { date: T + 9 }), item('o-own', { date: T + 9, title: 'again' })], ok));
  note('three', await st.commitItems('h/c/three', [item('n1', { date: T + 7 }), item('n2', { date: T + 7 }), shared(4, 'three')], ok));
  note('known', await st.knownItems('g/b/two', ['s2-two', 's3-two', 's4-two', 'nope']));
  note('feeds', await feeds());
  note('pending', await pending());

  const files = await pending();
  await st.markFilesWritten(files.slice(0, 5).map((f, i) => ({ id: f.id, contentHash: `w${i}`, expectHash: f.contentHash })));
  await st.markFilesWritten([{ id: files[6].id, contentHash: 'x', expectHash: 'stale' }]);
  note('content', await st.articleContent(files.map((f) => f.id)));
  note('pending after writes', await pending());

  // Several at once: one renamed (new names, same URL), one moved (same key, new URL), one removed.
  note('preview', await st.previewSync([channel('g/b/deux', 'https://g-b-two.example/feed', ['G', 'B', 'DEUX']), channel('h/c/three', 'https://moved.example/'), channel('k/d/four')]));
  note('resync', await st.syncChannels([channel('g/b/deux', 'https://g-b-two.example/feed', ['G', 'B', 'DEUX']), channel('h/c/three', 'https://moved.example/'), channel('k/d/four')], T + 1));
  note('feeds after resync', await feeds());
  note('pending after resync', await pending());
  note('dirty', await st.dirtyFeeds());

  const g = await st.topArticles('g', 4);
  await st.commitPublish({
    ledger: [
      ['g', { specHash: 's1', rowsHash: rowsHash(g), latest: [] }],
      ['g', { specHash: 's2', rowsHash: rowsHash(g) }],
      ['', { specHash: 's', rowsHash: 'r' }],
    ],
    clearIfUnchanged: [
      { key: 'g', limit: 4, rowsHash: rowsHash(g) },
      { key: 'h', limit: 4, rowsHash: 'stale' },
    ],
    clear: ['g/a', 'nothing'],
  });
  note('dirty after publish', await st.dirtyFeeds());
  note('ledger', await st.ledger());

  note('ensure existing', await st.ensureChannel('k/d/four', 'https://four.example/new', T + 2));
  note('ensure new', await st.ensureChannel('m/e/five', 'https://five.example/', T + 2));
  const [first] = files;
  note(
    'restore',
    await st.restoreArticles([
      { channelKey: 'm/e/five', itemKey: 'r1', id: 'r'.repeat(40), path: 'articles/m/e/rrrr.md', firstSeen: T, contentHash: 'rh', content: content('restored') },
      { channelKey: 'm/e/five', itemKey: 'r1b', id: 'r'.repeat(40), path: 'articles/m/e/rrrr.md', firstSeen: T, contentHash: 'rh2', content: content('twice') },
      { channelKey: 'm/e/five', itemKey: 'r2', id: first.id, path: 'articles/m/e/x.md', firstSeen: T, contentHash: 'rh', content: content('taken') },
      { channelKey: 'no/such/channel', itemKey: 'r3', id: 'q'.repeat(40), path: 'articles/no/such/q.md', firstSeen: T, contentHash: 'rh', content: content('lost') },
    ]),
  );
  note('content restored', await st.articleContent(['r'.repeat(40), 'q'.repeat(40)]));
  note('five', await st.topArticles('m/e/five', 10));

  await st.recordFailure('k/d/four', { now: T + 3, error: 'gone', nextRunAt: T + 4, disable: true });
  await st.setNextRun('m/e/five', T + 5);
  await st.recordSuccess('h/c/three', { now: T + 6, status: 'not-modified', etag: '"e"' });
  note('states', await st.channelStates());
  note('count', await st.countArticles());
  return log;
}
