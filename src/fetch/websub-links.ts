import { attr, type XElement } from './xml-tree.ts';

// WebSub discovery (W3C WebSub §4): a feed names its hubs and its own URL
// (the topic) in rel="hub" and rel="self" links, in its HTTP Link header or
// in its body (atom:link in RSS, link in Atom, `hubs` and `feed_url` in JSON
// Feed). Only absolute http(s) URLs count.

export interface WebSubLinks {
  hubs: string[];
  self?: string;
}

/** `href` resolved against `base` when that gives an http(s) URL. */
export function absolute(href: string | undefined, base: string): string | undefined {
  if (!href) return undefined;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The hub and self links among `links` (atom:link or Atom link elements). */
export function webSubLinks(links: readonly XElement[], base: string): WebSubLinks {
  const rel = (l: XElement) => (attr(l, 'rel') ?? '').toLowerCase().split(/\s+/);
  const hubs = [...new Set(links.filter((l) => rel(l).includes('hub')).map((l) => absolute(attr(l, 'href'), base)).filter((h): h is string => h !== undefined))];
  const self = links.filter((l) => rel(l).includes('self')).map((l) => absolute(attr(l, 'href'), base)).find(Boolean);
  return { hubs, ...(self ? { self } : {}) };
}

/** The hub and self links of an HTTP Link header (RFC 8288), resolved against the feed's URL. */
export function linkHeaderWebSub(header: string | undefined, base: string): WebSubLinks {
  const hubs: string[] = [];
  let self: string | undefined;
  for (const m of (header ?? '').slice(0, 8192).matchAll(/<([^>]*)>([^,<]*)/g)) {
    const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2])?.[1].toLowerCase().split(/\s+/) ?? [];
    const url = absolute(m[1], base);
    if (!url) continue;
    if (rels.includes('hub') && !hubs.includes(url)) hubs.push(url);
    if (rels.includes('self')) self ??= url;
  }
  return { hubs, ...(self ? { self } : {}) };
}
