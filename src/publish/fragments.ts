import { createHash } from 'node:crypto';
import type { ArticleContent } from '../core/types.ts';
import type { ItemFragments } from '../store/index.ts';
import { toFeedEntry } from './items.ts';
import { PUBLISH_FORMAT_VERSION } from './plan.ts';
import { encodeItem } from './render-item.ts';

// An item's feed fragments are encoded once, from its article's content, by
// the same functions a feed's items were always rendered with
// (render-item.ts), and kept by the store: publishing a feed is then picking
// its rows and concatenating their fragments inside its envelope. The
// ingest's prepare step encodes them where it holds the sanitized body,
// loading this module by its URL (it is a later stage's); a publish encodes
// what is missing, or was encoded under another version, once.

/** This module, for the ingest to load (see ingest/fragments.ts). */
export const FRAGMENT_ENCODER: string = import.meta.url;

/** What fragments depend on beyond the article: the output format and the site settings an item may carry. */
export interface FragmentSite {
  url: string;
  fallbackImage: string;
}

/**
 * The version fragments are stored under: a new output format
 * (PUBLISH_FORMAT_VERSION 6: items carry enclosures and tags) or a change of
 * these settings encodes them again, lazily.
 */
export function fragmentVersion(site: FragmentSite): string {
  const key = JSON.stringify([PUBLISH_FORMAT_VERSION, site.url, site.fallbackImage]);
  return createHash('sha1').update(key).digest('hex').slice(0, 16);
}

/** An article's fragments under `version`. Pure: the same content gives the same bytes, wherever it is encoded. */
export function encodeFragmentsAs(version: string, itemKey: string, content: ArticleContent): ItemFragments {
  const item = toFeedEntry({ itemKey }, content);
  const e = encodeItem(item);
  return { version, id: item.id, rss: e.rss, atom: e.atom, json: e.json };
}

/** For the ingest (FragmentEncoderModule): a normalized article's fragments, as the store will hold its content. */
export function encodeFragments(article: ArticleContent & { itemKey: string }, site: FragmentSite): ItemFragments {
  return encodeFragmentsAs(fragmentVersion(site), article.itemKey, article);
}
