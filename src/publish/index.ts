// The publish stage: the store (its index and each item's encoded feed
// fragments; never the article files) → RSS 2.0, Atom 1.0 and JSON Feed 1.1
// files (merged, per group, per source, per channel), index.opml and
// index.html under the output folder.
export { publish, Publisher, type PublishOptions, type PublishReport, type SkippedArticle } from './publish.ts';
export { isPublishedPath, planFeeds, feedUrls, specHash, anchorOf, FEED_FILES, INDEX_FILES, PUBLISH_FORMAT_VERSION, type FeedSpec, type FeedLevel, type FeedFormat } from './plan.ts';
export { renderFeeds, encodeItem, assembleFeedBuffers, feedUpdated, type FeedMeta, type FeedFiles, type EncodedItem } from './render-feed.ts';
export { toFeedEntry, uniqueIds, entryId, imageType, type FeedEntry } from './items.ts';
export type { JsonFeed11, JsonFeed11Item } from './json-feed.ts';
export { buildOpml, buildCategoriesOpml } from './opml.ts';
export { FRAGMENT_ENCODER, encodeFragments, fragmentVersion } from './fragments.ts';
export { changedFeedUrls, HubPinger } from './websub.ts';
export { buildIndexHtml, SectionCache } from './index-html.ts';
export { excerpt, htmlToText, xmlSafe } from './text.ts';
