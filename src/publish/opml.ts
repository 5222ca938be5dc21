import type { RefeedConfig } from '../core/types.ts';
import { feedUrls, type FeedSpec } from './plan.ts';
import { xmlSafe } from './text.ts';
import { el, serializeXml, xmlDocument, type Element } from './xml.ts';

function feedOutline(config: RefeedConfig, spec: FeedSpec): Element {
  const urls = feedUrls(config.site, spec);
  return el('outline', {
    type: 'rss',
    version: 'RSS2',
    text: xmlSafe(spec.title),
    title: xmlSafe(spec.title),
    description: xmlSafe(spec.description),
    xmlUrl: urls.rss,
    htmlUrl: urls.html,
    language: config.site.language,
  });
}

function folder(name: string, children: Element[]): Element {
  return el('outline', { text: xmlSafe(name), title: xmlSafe(name) }, children);
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
  const body: Element[] = [outline('')];
  for (const g of config.groups) {
    body.push(
      folder(g.name, [
        outline(g.slug),
        ...g.sources.map((s) => folder(s.name, [outline(`${g.slug}/${s.slug}`), ...s.channels.map((c) => outline(c.key))])),
      ]),
    );
  }
  const opml = el('opml', { version: '2.0' }, [
    el('head', {}, [el('title', {}, [xmlSafe(config.site.title)]), el('docs', {}, ['http://opml.org/spec2.opml'])]),
    el('body', {}, body),
  ]);
  return serializeXml(xmlDocument(opml));
}
