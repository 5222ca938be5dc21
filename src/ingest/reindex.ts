import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { ArticleContent, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import { createArticleRenderer, readArticleFile, type ArticleStamp } from '../normalize/index.ts';
import { sha1Hex } from '../normalize/text.ts';
import { articleIdFor, type RestoredArticle, type Store } from '../store/index.ts';
import { articleDirs as dirs } from './article-tree.ts';
import { syncChannels } from './sync.ts';

export interface ReindexReport {
  /** Article files read. */
  files: number;
  /** Articles put back into the store. */
  restored: number;
  /** Already in the store: left as they were. */
  known: number;
  /** Files that could not be used, and why. */
  skipped: { path: string; reason: string }[];
}

const BATCH = 500;

/** The configured channel an article file belongs to: its folder names the group and source, its categories the channel. */
function channelFinder(config: RefeedConfig): (g: string, s: string, names: readonly string[]) => ResolvedChannel | undefined {
  const bySource = new Map<string, ResolvedChannel[]>();
  for (const c of config.channels) {
    const k = `${c.group.slug}/${c.source.slug}`;
    bySource.set(k, [...(bySource.get(k) ?? []), c]);
  }
  return (g, s, names) => {
    const candidates = bySource.get(`${g}/${s}`) ?? [];
    const channelName = names[2];
    return candidates.find((c) => c.channel.name === channelName) ?? (candidates.length === 1 ? candidates[0] : undefined);
  };
}

/**
 * The id and item key of an article file. A stamped file says them (see
 * ArticleStamp); a file from before stamps gives its guid, else its link, as
 * a fetch would find it again, and its id is worked out as the commit made it
 * (from its link, else its channel's id and key) when that matches its name,
 * else its name (the id's first 20 characters) stands for it.
 */
function identityOf(stem: string, content: ArticleContent, stamp: ArticleStamp | undefined, channelId: number | undefined): ArticleStamp {
  if (stamp && stamp.id.startsWith(stem)) return stamp;
  const key = content.guid ?? content.link ?? `file:${stem}`;
  const candidates = [content.link ? articleIdFor(0, key, content.link) : undefined, channelId !== undefined ? articleIdFor(channelId, key, undefined) : undefined];
  return { id: candidates.find((id) => id?.startsWith(stem)) ?? stem, key };
}

/**
 * Rebuilds the store's index from the article files under the output folder
 * (after the state was lost or damaged): every article comes back under the
 * channel whose folder and names it carries, with the id and item key its
 * file is stamped with (so the next fetch knows it again), its date (an
 * undated item's first-seen time is the date its file kept), its content
 * cached and its file counted as written. Nothing is written to the files;
 * what the store already has is left alone, so running it twice, or on a
 * healthy state, changes nothing.
 */
export async function reindexFromFiles(config: RefeedConfig, store: Store, log: Logger, onProgress?: (files: number) => void): Promise<ReindexReport> {
  const report: ReindexReport = { files: 0, restored: 0, known: 0, skipped: [] };
  const sync = await syncChannels(config, store, Date.now(), log);
  const renderer = createArticleRenderer();
  const root = path.join(config.site.output, 'articles');
  const find = channelFinder(config);
  let batch: RestoredArticle[] = [];
  const flush = async () => {
    const restored = await store.restoreArticles(batch);
    report.restored += restored;
    report.known += batch.length - restored;
    batch = [];
  };
  for (const g of dirs(root)) {
    for (const s of dirs(path.join(root, g))) {
      for (const name of readdirSync(path.join(root, g, s)).filter((n) => n.endsWith('.md') && !n.startsWith('.')).sort()) {
        const rel = `articles/${g}/${s}/${name}`;
        const file = path.join(config.site.output, rel);
        report.files++;
        onProgress?.(report.files);
        try {
          const text = readFileSync(file, 'utf8');
          const { content, stamp, unstamped } = readArticleFile(text, renderer);
          const channel = find(g, s, content.categories);
          if (!channel) throw new Error(`no configured channel "${content.categories.join(' / ')}" in ${g}/${s}`);
          const { id, key } = identityOf(name.slice(0, -'.md'.length), content, stamp, sync.channels.get(channel.key)?.id);
          batch.push({
            channelKey: channel.key,
            itemKey: key,
            id,
            path: rel,
            firstSeen: content.date.getTime(),
            // As the fetch that wrote the file hashed it: a file as written is unchanged content.
            contentHash: sha1Hex(unstamped),
            content,
          });
        } catch (err) {
          report.skipped.push({ path: rel, reason: (err as Error).message });
          log.warn({ path: rel, reason: (err as Error).message }, 'article file not reindexed');
        }
        if (batch.length >= BATCH) await flush();
      }
    }
  }
  await flush();
  return report;
}
