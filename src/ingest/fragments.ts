import type { Article } from '../core/types.ts';
import type { ItemFragments } from '../store/index.ts';

// The prepare step holds each item's sanitized body: it encodes the item's
// feed fragments there (on a worker thread in big runs), once, and the store
// keeps them with the content. How to encode them is the publish stage's
// business, which comes after this one: a command that runs ingest hands
// over the module that does it (publish/fragments.ts), by URL, so that a
// worker thread can load it too. Without one, the first publish encodes.

/** What the prepare step needs to encode fragments: the module, and the site settings they depend on. */
export interface FragmentEncoding {
  /** URL of a module exporting `encodeFragments` (FragmentEncoderModule). */
  module: string;
  site: { url: string; fallbackImage: string };
}

export interface FragmentEncoderModule {
  encodeFragments(article: Article, site: FragmentEncoding['site']): ItemFragments;
}

const loaded = new Map<string, Promise<FragmentEncoderModule>>();

/** The encoder of `encoding`, loaded once per thread. */
export async function fragmentEncoder(encoding: FragmentEncoding): Promise<(article: Article) => ItemFragments> {
  let mod = loaded.get(encoding.module);
  if (!mod) loaded.set(encoding.module, (mod = import(encoding.module) as Promise<FragmentEncoderModule>));
  const { encodeFragments } = await mod;
  return (article) => encodeFragments(article, encoding.site);
}
