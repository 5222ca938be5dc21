import type { Logger } from '../core/log.ts';
import type { RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { fileRules, fileRulesFingerprint, storedSubject } from '../normalize/index.ts';
import type { ArticleHiding, Store } from '../store/index.ts';
import { removeArticleFiles } from './article-files.ts';

// Article files follow the keep/block rules, like the feeds: when a channel's
// rules (or the rewrites that make the articles they judge) differ from the
// ones its stored articles were judged under, each article it owns is judged
// again. One its rules hide now loses its file; one they show again becomes
// pending and writePendingFiles writes it back from the store (the same bytes:
// files are projections of the rows). Feeds are not touched: the publisher
// applies the rules itself (store/visible-rows.ts). Run after reapplyRewrites,
// before channels are fetched and before publishing, by whoever owns the
// output folder.

const BATCH = 200;

/**
 * Brings every configured channel's article files to its current rules;
 * returns how many articles were hidden or shown again. A channel whose rules
 * are as recorded (one without rules records '') costs one comparison.
 */
export async function reapplyFileRules(config: RefeedConfig, store: Store, log: Logger): Promise<number> {
  const recorded = new Map((await store.channelStates()).map((s) => [s.key, s.rules ?? '']));
  let total = 0;
  for (const channel of config.channels) {
    const was = recorded.get(channel.key);
    if (was === undefined) continue; // not stored yet: nothing to hide, its ingest judges what it stores
    const fingerprint = fileRulesFingerprint(channel.settings);
    if (was === fingerprint) continue;
    const { hidden, shown } = await judgeChannel(config, store, channel, log);
    await store.setRules(channel.key, fingerprint);
    if (hidden || shown) log.info({ channel: channel.key, hidden, shown }, 'rules changed: article files removed or written back');
    total += hidden + shown;
  }
  return total;
}

async function judgeChannel(config: RefeedConfig, store: Store, channel: ResolvedChannel, log: Logger): Promise<{ hidden: number; shown: number }> {
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
    if (changes.length) {
      const gone = await store.hideArticles(channel.key, changes);
      removeArticleFiles(config.site.output, gone, log);
      hidden += gone.length;
      shown += changes.filter((c) => !c.hidden).length;
    }
    if (owned.length < BATCH) break;
  }
  return { hidden, shown };
}
