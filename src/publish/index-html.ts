import type { LatestEntry, RefeedConfig } from '../core/types.ts';
import { h, renderHtmlDocument } from './html.ts';
import { anchorOf, FEED_FILES, feedUrls, INDEX_FILES, type FeedSpec } from './plan.ts';
import { xmlSafe } from './text.ts';

/** A latest-item line of the index page. */
export type IndexEntry = LatestEntry;

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
section { margin: 1.5rem 0; }
section section { margin-left: 1rem; }
.feeds a { margin-right: .6rem; font-size: .85rem; }
ul.items { padding-left: 1.2rem; }
time { color: #777; font-size: .85rem; margin-left: .4rem; }
`;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Links to a feed's three files, relative to index.html so the page also works opened from disk. */
function feedLinks(spec: FeedSpec) {
  return h(
    'p',
    { class: 'feeds' },
    h('a', { href: `${spec.dir}${FEED_FILES.rss}`, type: 'application/rss+xml' }, 'RSS'),
    h('a', { href: `${spec.dir}${FEED_FILES.atom}`, type: 'application/atom+xml' }, 'Atom'),
    h('a', { href: `${spec.dir}${FEED_FILES.json}`, type: 'application/feed+json' }, 'JSON Feed'),
  );
}

function itemList(entries: readonly IndexEntry[]) {
  if (!entries.length) return h('p', { class: 'empty' }, 'No items yet.');
  return h(
    'ul',
    { class: 'items' },
    entries.map((e) =>
      h(
        'li',
        {},
        e.link ? h('a', { href: xmlSafe(e.link) }, xmlSafe(e.title)) : xmlSafe(e.title),
        h('time', { datetime: new Date(e.date).toISOString() }, day(e.date)),
      ),
    ),
  );
}

/**
 * The readable front page: every category with links to its feeds, each
 * channel's latest items, and autodiscovery links for the merged feeds.
 * `latest(key)` gives the newest entries of a feed key. Deterministic: no
 * generation time, dates printed in UTC.
 */
export function buildIndexHtml(config: RefeedConfig, specs: readonly FeedSpec[], latest: (key: string) => readonly IndexEntry[]): string {
  const site = config.site;
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const get = (key: string) => {
    const s = byKey.get(key);
    if (!s) throw new Error(`no feed planned for "${key}"`);
    return s;
  };
  const merged = get('');
  const urls = feedUrls(site, merged);
  const title = xmlSafe(site.title);

  const head = h(
    'head',
    {},
    h('meta', { charset: 'utf-8' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    h('title', {}, title),
    h('meta', { name: 'description', content: xmlSafe(site.description) }),
    h('meta', { name: 'generator', content: 'refeed' }),
    h('link', { rel: 'alternate', type: 'application/rss+xml', title: `${title} (RSS)`, href: urls.rss }),
    h('link', { rel: 'alternate', type: 'application/atom+xml', title: `${title} (Atom)`, href: urls.atom }),
    h('link', { rel: 'alternate', type: 'application/feed+json', title: `${title} (JSON Feed)`, href: urls.json }),
    h('style', {}, STYLE),
  );

  const groups = config.groups.map((g) => {
    const gs = get(g.slug);
    return h(
      'section',
      { id: anchorOf(gs) },
      h('h2', {}, xmlSafe(g.name)),
      feedLinks(gs),
      g.sources.map((s) => {
        const ss = get(`${g.slug}/${s.slug}`);
        return h(
          'section',
          { id: anchorOf(ss) },
          h('h3', {}, xmlSafe(s.name)),
          feedLinks(ss),
          s.channels.map((c) => {
            const cs = get(c.key);
            return h('section', { id: anchorOf(cs) }, h('h4', {}, xmlSafe(c.channel.name)), feedLinks(cs), itemList(latest(cs.key)));
          }),
        );
      }),
    );
  });

  const body = h(
    'body',
    {},
    h(
      'header',
      {},
      h('h1', {}, title),
      h('p', {}, xmlSafe(site.description)),
      feedLinks(merged),
      h('p', {}, h('a', { href: INDEX_FILES.opml, type: 'text/x-opml' }, 'OPML: subscribe to every feed at once')),
    ),
    h('main', {}, h('section', { id: anchorOf(merged) }, h('h2', {}, 'Latest'), itemList(latest(''))), groups),
  );

  return renderHtmlDocument(h('html', { lang: site.language }, head, body));
}
