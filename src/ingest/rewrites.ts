import type { Logger } from '../core/log.ts';
import type { ArticleOriginal, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { createArticleRenderer, createRewriter, isFallbackImage, rewriteArticle, rewriteFingerprint } from '../normalize/index.ts';
import { sha1Hex } from '../normalize/text.ts';
import type { ArticleRewrite, OwnedArticle, Store } from '../store/index.ts';
import { changedChannels, statesByKey, type StatesByKey } from './changed-channels.ts';

// Rewrites apply to what is stored, not only to what is fetched next: when a
// channel's rewrites (or its tracking-pixel or fallback-image setting) differ
// from the ones its stored articles were made with, each article it supplies
// is made again from its original, as the ingest would make it now. The rows
// change (content hash, so the feed fragments are encoded again), their files
// fall behind and are written by writePendingFiles, their feeds are dirty:
// the next publish carries the change. Run before channels are fetched and
// before publishing, by whoever owns the output folder.

const BATCH = 200;

/**
 * Brings every configured channel's stored articles to its current rewrites;
 * returns how many articles changed. A channel whose rewrites are as recorded
 * costs one comparison.
 */
export async function reapplyRewrites(config: RefeedConfig, store: Store, log: Logger, states?: StatesByKey): Promise<number> {
  let total = 0;
  for (const { channel, fingerprint } of changedChannels(config, states ?? (await statesByKey(store)), (s) => s.rewrites ?? '', (c) => rewriteFingerprint(c.settings))) {
    const changed = await rewriteChannel(config, store, channel);
    await store.setRewrites(channel.key, fingerprint);
    if (changed) log.info({ channel: channel.key, articles: changed }, 'rewrites changed: stored articles rewritten');
    total += changed;
  }
  return total;
}

async function rewriteChannel(config: RefeedConfig, store: Store, channel: ResolvedChannel): Promise<number> {
  const rewriter = createRewriter(channel.settings);
  const template = channel.settings.fallbackImage ?? config.site.fallbackImage;
  const renderer = createArticleRenderer();
  let changed = 0;
  for (let after = ''; ; ) {
    const owned = await store.ownedArticles(channel.key, after, BATCH);
    if (!owned.length) break;
    after = owned[owned.length - 1].id;
    const rewrites: ArticleRewrite[] = [];
    for (const a of owned) {
      const original = a.original ?? originalOfStored(a);
      const r = rewriteArticle(original, a.itemKey, rewriter, template);
      const contentHash = sha1Hex(renderer.render({ ...a.content, title: r.title, html: r.html, headimg: r.headimg }));
      if (contentHash === a.contentHash) continue;
      rewrites.push({ id: a.id, expectHash: a.contentHash, contentHash, title: r.title, html: r.html, headimg: r.headimg, original });
    }
    if (rewrites.length) changed += await store.rewriteArticles(channel.key, rewrites);
    if (owned.length < BATCH) break;
  }
  return changed;
}

/**
 * An article stored before rewrites existed kept no original: its content is
 * taken as its original, its head image (unless a placeholder) as the item's
 * own image.
 */
function originalOfStored(a: OwnedArticle): ArticleOriginal {
  const { title, html, headimg } = a.content;
  return { title, html, ...(headimg && !isFallbackImage(headimg) ? { image: headimg } : {}) };
}
