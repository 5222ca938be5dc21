import { fallbackNumber } from './item-key.ts';
import { oneLine } from './text.ts';

// The placeholder an article without an image gets as its headimg (the Hexo
// theme needs one), and how the publisher knows it is one: it is never an
// item's image in a feed (no enclosure, no media:thumbnail, no JSON image).
//
// The mark is a URL fragment, written with the URL at normalize time: a
// fragment is never sent to the image server, it survives a later change of
// site.fallback_image, and an article whose headimg is edited by hand loses
// it with the old URL.

const MARK = 'refeed-fallback';

/** The headimg for an article without an image: the template with `{n}` from its item key, marked; '' when the template is empty (`none`). */
export function fallbackImageFor(template: string, itemKey: string): string {
  const url = oneLine(template).replaceAll('{n}', String(fallbackNumber(itemKey)));
  if (!url) return '';
  return `${url}${url.includes('#') ? '&' : '#'}${MARK}`;
}

/** Whether a headimg is a placeholder rather than the article's own image. */
export function isFallbackImage(url: string | undefined): boolean {
  if (typeof url !== 'string') return false;
  // Or what refeed 0.1 wrote, unmarked, from the seed's template: still a placeholder.
  return url.endsWith(`#${MARK}`) || url.endsWith(`&${MARK}`) || /^https:\/\/picsum\.photos\/400\/300\?random=\d+$/.test(url);
}
