import { createHash } from 'node:crypto';
import { Feed } from 'feed';
import { HtmlBuilder } from './html.ts';
import { createRng, hashSeed, type Rng } from './prng.ts';

// The synthetic corpus: every byte is a pure function of (seed, channel index,
// item index), so a channel can be produced alone, in any order, in any
// process, and adding item n never changes items 0..n-1.

export const DEFAULT_SEED = 20240601;
/** Item j of every channel is dated BASE + j hours (+ a per-channel offset): always in the past, always ordered. */
const BASE_TIME = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

const GROUPS = [
  { name: 'Tech', slug: 'tech' },
  { name: '新媒体', slug: 'xinmeiti' },
  { name: 'Science', slug: 'science' },
  { name: '设计', slug: 'design' },
  { name: 'Business', slug: 'business' },
  { name: 'Culture', slug: 'culture' },
  { name: '开发者', slug: 'dev' },
  { name: 'World', slug: 'world' },
] as const;

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ' +
  'enim minim veniam quis nostrud exercitation ullamco laboris nisi aliquip commodo consequat duis aute irure reprehenderit ' +
  'voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa officia ' +
  'deserunt mollit anim laborum feed reader parser cache latency throughput server client archive release kernel network'
).split(' ');

const CJK = [
  '产品经理需要理解用户的真实需求',
  '这篇文章讨论了数据驱动的设计方法',
  '开源社区的协作方式正在改变',
  '性能优化应该以测量为依据',
  '我们在上线之前做了大量测试',
  '新的版本带来了更快的启动速度',
  '团队决定重写核心模块',
  '读者反馈帮助我们改进了内容',
];

export interface Named {
  name: string;
  slug: string;
}

export interface ChannelSpec {
  index: number;
  format: 'rss' | 'atom';
  group: Named;
  source: Named;
  channel: Named;
  /** Request path on the corpus server. */
  path: string;
  /** The source site's home page (links and guids hang off it). */
  site: string;
}

export interface SyntheticItem {
  guid: string;
  link: string;
  title: string;
  author: string;
  date: Date;
  summary: string;
  html: string;
  categories: string[];
  image: string;
}

/** Channel i: half RSS 2.0 (even), half Atom 1.0 (odd); two channels per source, sources spread over 8 groups. */
export function channelSpec(index: number): ChannelSpec {
  const sourceIndex = Math.floor(index / 2);
  const group = GROUPS[sourceIndex % GROUPS.length];
  const format = index % 2 === 0 ? 'rss' : 'atom';
  const cjkSource = sourceIndex % 3 === 1;
  return {
    index,
    format,
    group: { name: group.name, slug: group.slug },
    source: { name: cjkSource ? `资讯站 ${sourceIndex}` : `Source ${sourceIndex}`, slug: `s${sourceIndex}` },
    channel: { name: format === 'rss' ? 'Articles' : 'Updates', slug: `c${index}` },
    path: `/feeds/${index}.${format === 'rss' ? 'rss' : 'atom'}`,
    site: `https://site${sourceIndex}.example.test/`,
  };
}

/** Date of item j in channel i; strictly increasing in j. */
export function itemDate(channel: number, item: number): Date {
  return new Date(BASE_TIME + item * HOUR + (channel % 3600) * 1000);
}

function sentence(rng: Rng, min: number, max: number): string {
  const n = rng.int(min, max);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS));
  const s = words.join(' ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

/** A paragraph of mixed Latin text, some CJK, and inline links. */
function paragraph(b: HtmlBuilder, rng: Rng, site: string): void {
  b.open('p');
  const parts = rng.int(3, 5);
  for (let k = 0; k < parts; k++) {
    if (rng.chance(0.25)) b.text(`${rng.pick(CJK)}，${rng.pick(CJK)}。`);
    else b.text(`${sentence(rng, 8, 16)} `);
    if (rng.chance(0.3)) {
      b.el('a', { href: `${site}ref/${rng.int(1, 99999)}?utm_source=feed&utm_medium=rss` }, sentence(rng, 2, 4).slice(0, -1));
      b.text(' ');
    }
  }
  b.close();
}

/** A ~4 KB HTML body: paragraphs, images, links, a heading, a list, a quote, some CJK. */
export function itemHtml(rng: Rng, site: string, channel: number, item: number): { html: string; image: string } {
  const b = new HtmlBuilder();
  const image = `https://img.example.test/c${channel}/i${item}/cover.jpg`;
  const target = rng.int(3300, 3900);
  b.open('p').el('img', { src: image, alt: 'cover', width: '800', height: '450' }).close();
  let n = 0;
  while (b.bytes < target && n < 40) {
    n++;
    paragraph(b, rng, site);
    if (n % 3 === 0) {
      const kind = rng.int(0, 3);
      if (kind === 0) b.el('h2', {}, sentence(rng, 3, 6));
      else if (kind === 1) {
        b.open('ul');
        for (let k = rng.int(2, 4); k > 0; k--) b.el('li', {}, sentence(rng, 4, 8));
        b.close();
      } else if (kind === 2) b.open('blockquote').el('p', {}, `${rng.pick(CJK)}。`).close();
      else b.open('figure').el('img', { src: `https://img.example.test/c${channel}/i${item}/f${n}.png`, alt: 'figure' }).el('figcaption', {}, sentence(rng, 3, 6)).close();
    }
  }
  return { html: b.html(), image };
}

/** Item j of channel i. */
export function syntheticItem(seed: number, channel: number, item: number): SyntheticItem {
  const spec = channelSpec(channel);
  const rng = createRng(hashSeed(seed, channel, item));
  const { html, image } = itemHtml(rng, spec.site, channel, item);
  const cjkTitle = rng.chance(0.3);
  const title = cjkTitle ? `${rng.pick(CJK)}（第 ${item} 期）` : `${sentence(rng, 4, 9).slice(0, -1)} #${item}`;
  return {
    guid: `${spec.site}p/${channel}-${item}`,
    link: `${spec.site}posts/${channel}/${item}.html`,
    title,
    author: rng.pick(['Alice', 'Bob', '张伟', 'Carol', '王芳', 'Dave']),
    date: itemDate(channel, item),
    summary: sentence(rng, 15, 30),
    html,
    categories: [rng.pick(['news', 'review', 'howto', '观点', 'release'])],
    image,
  };
}

/** The newest `count` items (indices 0..count-1), newest first as feeds list them. */
export function channelItems(seed: number, channel: number, count: number): SyntheticItem[] {
  const items: SyntheticItem[] = [];
  for (let j = count - 1; j >= 0; j--) items.push(syntheticItem(seed, channel, j));
  return items;
}

/** Serializes a channel's feed with the `feed` package: RSS 2.0 or Atom 1.0 by the channel's format. */
export function renderChannelFeed(spec: ChannelSpec, items: SyntheticItem[]): string {
  const updated = items.length ? items[0].date : itemDate(spec.index, 0);
  const feed = new Feed({
    id: spec.site,
    title: `${spec.source.name} — ${spec.channel.name}`,
    description: `Synthetic ${spec.format} feed ${spec.index} for the refeed benchmark`,
    link: spec.site,
    language: 'en',
    updated,
    generator: 'refeed-bench',
    feedLinks: { [spec.format]: `${spec.site}${spec.format}.xml` },
    copyright: 'CC0',
  });
  for (const it of items) {
    feed.addItem({
      title: it.title,
      id: it.guid,
      guid: it.guid,
      link: it.link,
      date: it.date,
      published: it.date,
      description: it.summary,
      content: it.html,
      author: [{ name: it.author }],
      category: it.categories.map((name) => ({ name, term: name })),
      image: it.image,
    });
  }
  return spec.format === 'rss' ? feed.rss2() : feed.atom1();
}

/** Channel i's feed XML with `count` items. */
export function channelFeedXml(seed: number, channel: number, count: number): string {
  return renderChannelFeed(channelSpec(channel), channelItems(seed, channel, count));
}

/** Validators for a channel state: they change exactly when the item count does. */
export function channelValidators(seed: number, channel: number, count: number): { etag: string; lastModified: string } {
  const tag = createHash('sha1').update(`${seed}/${channel}/${count}`).digest('hex').slice(0, 16);
  return { etag: `"${tag}"`, lastModified: itemDate(channel, Math.max(0, count - 1)).toUTCString() };
}
