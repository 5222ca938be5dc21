import type { Logger } from '../core/log.ts';
import type { RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { fileRules, fileRulesFingerprint, storedSubject } from '../normalize/index.ts';
import type { ArticleHiding, Store } from '../store/index.ts';
import { changedChannels, statesByKey, type StatesByKey } from './changed-channels.ts';

// Article files follow the keep/block rules, like the feeds: when a channel's
// rules (or the rewrites that make the articles they judge) differ from the
// ones its stored articles were judged under, each article it owns is judged
// again. One its rules hide now loses its file, one they show again becomes
// pending: writePendingFiles removes the one and writes the other back from
// the store (the same bytes: files are projections of the rows). Feeds are
// not touched: the publisher applies the rules itself (store/visible-rows.ts).
// Run after reapplyRewrites, before channels are fetched and before
// publishing, by whoever owns the output folder.

const BATCH = 200;

/**
 * Brings every configured channel's article files to its current rules;
 * returns how many articles were hidden or shown again. A channel whose rules
 * are as recorded (one without rules records '') costs one comparison.
 */
export async function reapplyFileRules(config: RefeedConfig, store: Store, log: Logger, states?: StatesByKey): Promise<number> {
  let total = 0;
  for (const { channel, fingerprint } of changedChannels(config, states ?? (await statesByKey(store)), (s) => s.rules ?? '', (c) => fileRulesFingerprint(c.settings))) {
    const { hidden, shown } = await judgeChannel(store, channel);
    await store.setRules(channel.key, fingerprint);
    if (hidden || shown) log.info({ channel: channel.key, hidden, shown }, 'rules changed: article files to remove or write back');
    total += hidden + shown;
  }
  return total;
}

async function judgeChannel(store: Store, channel: ResolvedChannel): Promise<{ hidden: number; shown: number }> {
  const rules = fileRules(channel.settings);
  let hidden = 0;
  let shown = 0;
  for (let after = ''; ; ) {
    const owned = await store.ownedArticles(channel.key, after, BATCH);
    if (!owned.length) break;
    after = owned[owned.length - 1].id;
    const changes: ArticleHiding[] = [];
    for (const a of owned) {
      const hide = !rules.empty && !rules.judge(storedSubject(a.content)).kept;
      if (hide !== a.hidden) changes.push({ id: a.id, hidden: hide, expectHash: a.contentHash });
    }
    // Hidden and shown apart, to count each; a row changed meanwhile is left as its commit judged it.
    const hide = changes.filter((c) => c.hidden);
    const show = changes.filter((c) => !c.hidden);
    if (hide.length) hidden += await store.hideArticles(channel.key, hide);
    if (show.length) shown += await store.hideArticles(channel.key, show);
    if (owned.length < BATCH) break;
  }
  return { hidden, shown };
}
