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

/**
 * OPML 2.0 subscription list of every published feed: the merged feed, then
 * one folder per group holding the group's feed and one folder per source
 * (the source's feed and its channels' feeds). No creation date: the same
 * configuration gives the same bytes.
 */
export function buildOpml(config: RefeedConfig, specs: readonly FeedSpec[]): string {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const outline = (key: string) => {
    const s = byKey.get(key);
    if (!s) throw new Error(`no feed planned for "${key}"`);
    return feedOutline(config, s);
  };
  const body: XmlNode[] = [outline('')];
  for (const g of config.groups) {
    body.push(
      folder(g.name, [
        outline(g.slug),
        ...g.sources.map((s) => folder(s.name, [outline(`${g.slug}/${s.slug}`), ...s.channels.map((c) => outline(c.key))])),
      ]),
    );
  }
  return buildDocument({
    opml: {
      '@version': '2.0',
      head: { title: xmlSafe(config.site.title), docs: 'http://opml.org/spec2.opml' },
      body: { outline: body },
    },
  });
}
