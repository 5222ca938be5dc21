import type { RefeedConfig } from '../core/types.ts';
import { buildDocument, type XmlNode } from '../util/xml-writer.ts';
import { feedUrls, type FeedSpec } from './plan.ts';
import { xmlSafe } from './text.ts';

function feedOutline(config: RefeedConfig, spec: FeedSpec): XmlNode {
  const urls = feedUrls(config.site, spec);
  const outline: XmlNode = {
    '@type': 'rss',
    '@version': 'RSS2',
    '@text': xmlSafe(spec.title),
    '@title': xmlSafe(spec.title),
    '@description': xmlSafe(spec.description),
    '@xmlUrl': urls.rss,
    '@htmlUrl': urls.html,
  };
  if (config.site.language) outline['@language'] = xmlSafe(config.site.language);
  return outline;
}

function folder(name: string, children: XmlNode[]): XmlNode {
  return { '@text': xmlSafe(name), '@title': xmlSafe(name), outline: children };
}

function opmlDocument(config: RefeedConfig, title: string, body: XmlNode[]): string {
  return buildDocument({
    opml: {
      '@version': '2.0',
      head: { title: xmlSafe(title), docs: 'http://opml.org/spec2.opml' },
      body: { outline: body },
    },
  });
}

function outlines(config: RefeedConfig, specs: readonly FeedSpec[]): (key: string) => XmlNode {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  return (key) => {
    const s = byKey.get(key);
    if (!s) throw new Error(`no feed planned for "${key}"`);
    return feedOutline(config, s);
  };
}

/**
 * index.opml, OPML 2.0: every channel's feed, in one folder per group and one
 * per source, and nothing else. The merged, group and source feeds hold the
 * same articles again: a reader that keeps items per feed would show each
 * article once per feed, so this list, imported whole, has each article once.
 * No creation date: the same configuration gives the same bytes.
 */
export function buildOpml(config: RefeedConfig, specs: readonly FeedSpec[]): string {
  const outline = outlines(config, specs);
  const body: XmlNode[] = config.groups
    .filter((g) => g.sources.some((s) => s.channels.length))
    .map((g) => folder(g.name, g.sources.filter((s) => s.channels.length).map((s) => folder(s.name, s.channels.map((c) => outline(c.key))))));
  return opmlDocument(config, config.site.title, body);
}

/**
 * categories.opml: the other whole set, one feed per group (category), which
 * together hold every article once, like index.opml's channels do.
 */
export function buildCategoriesOpml(config: RefeedConfig, specs: readonly FeedSpec[]): string {
  const outline = outlines(config, specs);
  return opmlDocument(config, `${config.site.title} · categories`, config.groups.map((g) => outline(g.slug)));
}
