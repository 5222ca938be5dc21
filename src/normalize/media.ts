import type { Enclosure } from '../core/types.ts';
import { excerpt, oneLine, str } from './text.ts';
import { httpUrl } from './url.ts';

// An item's enclosures and own tags as an article carries them: feed data is
// never trusted to be typed or sized sensibly, so each list is cleaned and
// bounded here, once, and every output projects the same values.

/** Enclosures kept per article: podcasts have one, galleries a few; more is noise or abuse. */
export const MAX_ENCLOSURES = 16;
/** Tags kept per article, and code points per tag. */
export const MAX_TAGS = 32;
export const MAX_TAG_LENGTH = 100;

// type/subtype as RFC 6838 allows them; parameters (`; codecs=…`) are dropped.
const MEDIA_TYPE = /^([a-z0-9][a-z0-9!#$&^_.+-]{0,126})\/([a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/;

// The media types of files feeds enclose without saying what they are.
const BY_EXTENSION: Record<string, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/x-m4a',
  m4b: 'audio/x-m4a',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/opus',
  flac: 'audio/flac',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  webm: 'video/webm',
  pdf: 'application/pdf',
  epub: 'application/epub+zip',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

/** The media type as `type/subtype` in lower case, else undefined. */
export function mediaType(value: unknown): string | undefined {
  const t = str(value)?.split(';')[0].trim().toLowerCase();
  return t && MEDIA_TYPE.test(t) ? t : undefined;
}

/** The media type a URL's file extension names, if it is one feeds enclose (audio, video, documents, images). */
export function typeFromUrl(url: string): string | undefined {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return ext ? BY_EXTENSION[ext] : undefined;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The item's enclosures: absolute http(s) URLs only (resolved against the
 * item's base), each once, with a media type (the feed's, else one its
 * extension names), a size and a duration when they are positive integers.
 */
export function articleEnclosures(list: readonly unknown[], base: URL | undefined): Enclosure[] {
  const out: Enclosure[] = [];
  const seen = new Set<string>();
  for (const e of list) {
    if (out.length === MAX_ENCLOSURES) break;
    if (e === null || typeof e !== 'object') continue;
    const raw = e as Record<string, unknown>;
    const url = httpUrl(str(raw.url), base);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    const type = mediaType(raw.type) ?? typeFromUrl(url);
    const length = positiveInteger(raw.length);
    const duration = positiveInteger(raw.duration);
    out.push({ url, ...(type ? { type } : {}), ...(length ? { length } : {}), ...(duration ? { duration } : {}) });
  }
  return out;
}

/**
 * The item's own categories as tags: one line each, at most MAX_TAG_LENGTH
 * code points, distinct (ignoring case), none repeating one of the article's
 * three level names, at most MAX_TAGS.
 */
export function articleTags(list: readonly unknown[], levels: readonly string[]): string[] {
  const seen = new Set(levels.map((l) => l.toLowerCase()));
  const out: string[] = [];
  for (const value of list) {
    if (out.length === MAX_TAGS) break;
    const s = str(value);
    if (s === undefined) continue;
    // Long tags are cut, not dropped: the start of a tag still names it.
    const tag = excerpt(oneLine(s), MAX_TAG_LENGTH);
    const key = tag.toLowerCase();
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  return out;
}
