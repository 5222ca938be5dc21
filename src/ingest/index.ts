// The ingest stage: for each channel, fetch → normalize → store, one guard
// per channel so one broken source (or a bug it trips) never stops the others.
export { ingestChannel, type FilesBehind, type IngestOptions } from './channel.ts';
export { runFetch, type FetchRunOptions } from './run.ts';
export type { ChannelReport } from './report.ts';
export { PreparePool, type PreparePoolOptions } from './prepare-pool.ts';
export type { FragmentEncoding, FragmentEncoderModule } from './fragments.ts';
export { channelInputs, syncChannels } from './sync.ts';
export { readBackMissingContent, writeCommittedFiles, writePendingFiles, writePendingFilesChecked } from './article-files.ts';
export { itemWrite } from './select-items.ts';
export { reapplyRewrites } from './rewrites.ts';
export { reapplyFileRules } from './file-rules.ts';
export { reapplyChannelSettings } from './reapply.ts';
export { reindexFromFiles, type ReindexReport } from './reindex.ts';
export { WebSubSubscriber, signatureMatches, type PushOutcome } from './websub.ts';
export { hasArticleFiles } from './article-tree.ts';
export { applyFullText, extractPage, fullTextMode, pageLimiter, withFullText, type PageResult } from './full-text.ts';
export { FullTextPool, type FullTextPoolOptions } from './full-text-pool.ts';
