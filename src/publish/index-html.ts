import type { LatestEntry, RefeedConfig } from '../core/types.ts';
import type { Element } from 'domhandler';
import { healthBadge, healthDetail, healthSummary, minuteUtc, type ChannelHealth } from './index-health.ts';
import { h, preRendered, renderFragment, renderHtmlDocument } from './html.ts';
import { anchorOf, FEED_FILES, feedUrls, INDEX_FILES, type FeedSpec } from './plan.ts';
import { xmlSafe } from './text.ts';

// Static and light: no script, no web font, no image. Long titles, names and
// error messages wrap anywhere, so the page fits a 390 px phone screen.
const STYLE = `
html { -webkit-text-size-adjust: 100%; }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 1.5rem auto; padding: 0 1rem; color: #222; background: #fff; overflow-wrap: anywhere; }
h1, h2, h3, h4 { line-height: 1.25; }
section { margin: 1.5rem 0; }
section section { margin-left: .75rem; }
.feeds a { margin-right: .6rem; font-size: .85rem; }
ul.items { padding-left: 1.2rem; }
time, .src, .updated { color: #666; font-size: .85rem; }
li time, li .src { margin-left: .4rem; }
.badge { font-size: .75rem; font-weight: normal; padding: 0 .4rem; border-radius: .6rem; margin-left: .4rem; white-space: nowrap; vertical-align: middle; }
.badge.ok { background: #e3f4e1; color: #1d5e1a; }
.badge.failing, .badge.gone { background: #fbe3e1; color: #8a1c12; }
.badge.never, .badge.off { background: #eee; color: #555; }
.health { color: #8a1c12; font-size: .9rem; }
.health code { font-size: .85rem; }
@media (max-width: 30rem) { body { margin-top: 1rem; } section section { margin-left: .4rem; } }
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

/** A list of latest items; with `sourceOf`, each names the source and channel it came from. */
function itemList(entries: readonly LatestEntry[], sourceOf?: (channelKey: string | undefined) => string | undefined) {
  if (!entries.length) return h('p', { class: 'empty' }, 'No items yet.');
  return h(
    'ul',
    { class: 'items' },
    entries.map((e) => {
      const source = sourceOf?.(e.channel);
      return h(
        'li',
        {},
        e.link ? h('a', { href: xmlSafe(e.link) }, xmlSafe(e.title)) : xmlSafe(e.title),
        source ? h('span', { class: 'src' }, `— ${xmlSafe(source)}`) : undefined,
        h('time', { datetime: new Date(e.date).toISOString() }, day(e.date)),
      );
    }),
  );
}

/** What the page shows besides the feeds and their items. */
export interface IndexPageState {
  /** Each configured channel's health, by key. */
  health: ReadonlyMap<string, ChannelHealth>;
  /** When the page's contents last changed (epoch ms): see index-files.ts. */
  updatedAt: number;
  /** Channel sections serialized by earlier builds of this page (a daemon's publisher keeps one). */
  sections?: SectionCache;
}

/**
 * Serialized channel sections by channel key, each with what it was built
 * from. A new item changes one channel's section and the merged list; in a
 * daemon the other 999 sections of a 1,000-channel page were building and
 * serializing the same bytes again, most of a one-item tick's publish.
 */
export class SectionCache {
  private readonly sections = new Map<string, { inputs: string; html: string }>();

  /** Nothing kept yet: the next publish builds the page even when unchanged (its bytes are not rewritten) to fill it. */
  get empty(): boolean {
    return this.sections.size === 0;
  }

  /** The section of `key` built from `inputs`: the kept bytes when the inputs are the same, else `build()` serialized and kept. */
  get(key: string, inputs: string, build: () => Element): string {
    const kept = this.sections.get(key);
    if (kept?.inputs === inputs) return kept.html;
    const html = renderFragment(build());
    this.sections.set(key, { inputs, html });
    return html;
  }
}

/**
 * The readable front page: every category with links to its feeds, each
 * channel's health and latest items, the latest items overall with their
 * source, when it last changed, and autodiscovery links for the merged feeds.
 * `latest(key)` gives the newest entries of a feed key. Deterministic: the
 * same inputs give the same bytes; dates are printed in UTC.
 */
export function buildIndexHtml(config: RefeedConfig, specs: readonly FeedSpec[], latest: (key: string) => readonly LatestEntry[], page: IndexPageState): string {
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
  const byChannel = new Map(config.channels.map((c) => [c.key, c]));
  const sourceOf = (key: string | undefined) => {
    const c = key === undefined ? undefined : byChannel.get(key);
    return c && `${c.source.name} / ${c.channel.name}`;
  };

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
    // Every category's feeds too, so a reader's "subscribe to this page" offers them.
    config.groups.flatMap((g) => {
      const gs = get(g.slug);
      const gu = feedUrls(site, gs);
      const gt = xmlSafe(gs.title);
      return [
        h('link', { rel: 'alternate', type: 'application/rss+xml', title: `${gt} (RSS)`, href: gu.rss }),
        h('link', { rel: 'alternate', type: 'application/atom+xml', title: `${gt} (Atom)`, href: gu.atom }),
        h('link', { rel: 'alternate', type: 'application/feed+json', title: `${gt} (JSON Feed)`, href: gu.json }),
      ];
    }),
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
            const health = page.health.get(c.key);
            const entries = latest(cs.key);
            const section = () => h('section', { id: anchorOf(cs) }, h('h4', {}, xmlSafe(c.channel.name), healthBadge(health)), healthDetail(health), feedLinks(cs), itemList(entries));
            if (!page.sections) return section();
            // Everything the section shows: its anchor and links come from the spec's key and folder.
            const inputs = JSON.stringify([cs.key, cs.dir, c.channel.name, health, entries]);
            return preRendered(page.sections.get(c.key, inputs, section));
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
      h(
        'p',
        {},
        h('a', { href: INDEX_FILES.opml, type: 'text/x-opml' }, 'OPML: subscribe to every channel at once'),
        ' (each article once), or ',
        h('a', { href: INDEX_FILES.categories, type: 'text/x-opml' }, 'to every category'),
      ),
      healthSummary(config, page.health, (key) => anchorOf(get(key))),
      h('p', { class: 'updated' }, 'Updated ', h('time', { datetime: new Date(page.updatedAt).toISOString() }, minuteUtc(page.updatedAt))),
    ),
    h('main', {}, h('section', { id: anchorOf(merged) }, h('h2', {}, 'Latest'), itemList(latest(''), sourceOf)), groups),
  );

  return renderHtmlDocument(h('html', { lang: site.language || undefined }, head, body));
}
