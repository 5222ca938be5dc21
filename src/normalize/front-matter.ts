import { Document, parseDocument, Scalar } from 'yaml';
import type { ArticleContent, Enclosure } from '../core/types.ts';
import { parseFeedDate } from './date.ts';
import { articleEnclosures, articleTags } from './media.ts';
import { oneLine } from './text.ts';

// The article file: Hexo front matter laid out exactly as the reference
// article (key order, `categories: ` with a trailing space, one-space list
// indent), then the body wrapped in <div>. The layout is ours; every scalar is
// written by the yaml library, which does all quoting and escaping. Keys the
// reference article does not have (link, guid, tags, enclosures…) come after
// its last line, `thumbnail:`, each only when the article has a value for it.

const YAML_OPTIONS = {
  lineWidth: 0, // never fold: one line per scalar
  minContentWidth: 0,
  singleQuote: true,
  // Quote whatever YAML 1.1 would read as a non-string too (yes, 2022-07-30, 1_000…):
  // Hexo reads front matter with js-yaml, which still knows 1.1 timestamps and such.
  compat: 'yaml-1.1',
} as const;

type Style = 'plain' | 'single';

// js-yaml (Hexo's reader) knows number spellings neither YAML 1.2 nor the
// yaml package's 1.1 mode do (`-0o17`, `0b1_0`…): anything number-like is quoted.
const NUMBER_LIKE = /^[-+]?[.\d]/;
/** Plain scalars remembered per renderer; past this many the memory is cleared (names and authors rarely reach it). */
const PLAIN_MEMORY = 5000;

/**
 * What ties an article file to the store: the article's id and its key within
 * the channel whose folder holds it (guid, else link, else `hash:…`). Written
 * as the last front-matter keys when the file is written (the id is only known
 * once the article is stored), read back by `refeed reindex`, so a rebuilt
 * state has the same ids and the next fetch knows every item again.
 */
export interface ArticleStamp {
  id: string;
  key: string;
}

/** Writes article files. Made once per channel pass: it keeps what it learnt between articles. */
export interface ArticleRenderer {
  /** The whole article file. */
  render(article: ArticleContent): string;
  /**
   * The rendered file with its stamp as the last lines of its front matter.
   * The article's content hash is the unstamped text's, so a file read back
   * (see readArticleFile) hashes as its fetch did.
   */
  stamp(text: string, stamp: ArticleStamp): string;
  /** A stamped file's text as it was rendered: its stamp lines removed when they are exactly as `stamp` writes them. */
  unstamp(fileText: string, stamp: ArticleStamp): string;
}

export function createArticleRenderer(): ArticleRenderer {
  return new Renderer();
}

class Renderer implements ArticleRenderer {
  // One document reused for every scalar (building a Document per value
  // costs more than the stringifying); only ever used synchronously.
  private readonly scratch = new Document(null, YAML_OPTIONS);
  // Names and authors repeat across every article of a channel.
  private readonly plain = new Map<string, string>();

  render(article: ArticleContent): string {
    const body = article.html.trim();
    return `${this.frontMatter(article)}\n<div>\n${body ? body + '\n' : ''}</div>\n`;
  }

  stamp(text: string, stamp: ArticleStamp): string {
    const end = text.indexOf('\n---\n', 3);
    if (!text.startsWith('---\n') || end < 0) throw new ArticleFileError('rendered text has no front matter to stamp');
    return `${text.slice(0, end)}\n${this.stampLines(stamp)}${text.slice(end)}`;
  }

  unstamp(fileText: string, stamp: ArticleStamp): string {
    const marker = `\n${this.stampLines(stamp)}\n---\n`;
    const at = fileText.indexOf(marker);
    return at < 0 ? fileText : `${fileText.slice(0, at)}\n---\n${fileText.slice(at + marker.length)}`;
  }

  private stampLines(stamp: ArticleStamp): string {
    return `${STAMP_KEYS.id}: ${this.exact(stamp.id)}\n${STAMP_KEYS.key}: ${this.exact(stamp.key)}`;
  }

  /** The front matter block, from the opening `---` to the closing `---` line included. */
  private frontMatter(article: ArticleContent): string {
    const headimg = this.scalar(article.headimg, 'single');
    const lines = [
      '---',
      `title: ${this.scalar(article.title, 'single')}`,
      'categories: ',
      ...article.categories.map((name) => ` - ${this.plainScalar(name)}`),
      `headimg: ${headimg}`,
      `author: ${this.plainScalar(article.author)}`,
      'comments: false',
      `date: ${this.scalar(article.date.toUTCString(), 'plain')}`,
      `thumbnail: ${headimg}`,
    ];
    if (article.link) lines.push(`link: ${this.scalar(article.link, 'single')}`);
    if (article.guid) lines.push(`guid: ${this.scalar(article.guid, 'single')}`);
    if (article.guid && article.guidIsPermaLink !== undefined) lines.push(`guidIsPermaLink: ${this.value(article.guidIsPermaLink)}`);
    if (article.updated) lines.push(`updated: ${this.scalar(article.updated.toUTCString(), 'plain')}`);
    if (article.summary) lines.push(`summary: ${this.scalar(article.summary, 'single')}`);
    // Hexo's own key for a post's tags: themes list and link them.
    if (article.tags.length) lines.push('tags:', ...article.tags.map((tag) => ` - ${this.plainScalar(tag)}`));
    if (article.enclosures.length) lines.push('enclosures:', ...article.enclosures.flatMap((e) => this.enclosure(e)));
    lines.push('---');
    return lines.join('\n') + '\n';
  }

  /** One enclosure as a list entry of a mapping, indented like the categories. */
  private enclosure(e: Enclosure): string[] {
    const lines = [` - url: ${this.scalar(e.url, 'single')}`];
    if (e.type) lines.push(`   type: ${this.scalar(e.type, 'plain')}`);
    if (e.length !== undefined) lines.push(`   length: ${this.value(e.length)}`);
    if (e.duration !== undefined) lines.push(`   duration: ${this.value(e.duration)}`);
    return lines;
  }

  /** A number or boolean as YAML writes it. */
  private value(v: number | boolean): string {
    return this.stringify(new Scalar(v));
  }

  private plainScalar(value: string): string {
    let out = this.plain.get(value);
    if (out === undefined) {
      out = this.scalar(value, 'plain');
      if (this.plain.size >= PLAIN_MEMORY) this.plain.clear();
      this.plain.set(value, out);
    }
    return out;
  }

  /** One YAML scalar on one line that reads back as exactly `value`: single-quoted, or double-quoted with escapes when it has line breaks or characters YAML cannot hold as they are. */
  exact(value: string): string {
    if (oneLine(value) === value) return this.scalar(value, 'single');
    const node = new Scalar(value);
    node.type = Scalar.QUOTE_DOUBLE;
    return this.stringify(node);
  }

  /** One YAML scalar on one line: plain when YAML reads it back as the same string, else single-quoted. */
  private scalar(value: string, style: Style): string {
    const text = oneLine(value);
    const node = new Scalar(text);
    node.type = style === 'plain' && !NUMBER_LIKE.test(text) ? Scalar.PLAIN : Scalar.QUOTE_SINGLE;
    let out = this.stringify(node);
    if (out.includes('\n')) {
      // A plain scalar that would need a block (e.g. it starts with `---`) is quoted instead.
      node.type = Scalar.QUOTE_SINGLE;
      out = this.stringify(node);
    }
    return out;
  }

  private stringify(node: Scalar): string {
    this.scratch.contents = node;
    return this.scratch.toString(YAML_OPTIONS).replace(/\n$/, '');
  }
}

const STAMP_KEYS = { id: 'article_id', key: 'item_key' } as const;
// 40 hex digits; 20 for an article an earlier reindex put back under its file name.
const ARTICLE_ID = /^[0-9a-f]{20}(?:[0-9a-f]{20})?$/;

export interface ReadArticleFile {
  content: ArticleContent;
  /** Absent in a file written before files were stamped, or whose stamp is unusable. */
  stamp?: ArticleStamp;
  /** The file text without its stamp lines (when they are exactly as the renderer writes them): what its content hash is taken of. */
  unstamped: string;
}

/** Reads an article file with its stamp (for `refeed reindex`). Throws ArticleFileError saying what is wrong. */
export function readArticleFile(fileText: string, renderer: ArticleRenderer): ReadArticleFile {
  const { content, fm } = parseFile(fileText);
  const id = fm[STAMP_KEYS.id];
  const key = fm[STAMP_KEYS.key];
  if (typeof id !== 'string' || !ARTICLE_ID.test(id) || typeof key !== 'string' || !key) return { content, unstamped: fileText };
  const stamp = { id, key };
  return { content, stamp, unstamped: renderer.unstamp(fileText, stamp) };
}

export class ArticleFileError extends Error {
  constructor(readonly reason: string) {
    super(`broken article file: ${reason}`);
    this.name = 'ArticleFileError';
  }
}


const FILE = /^\uFEFF?\s*---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n([\s\S]*))?$/;
const WRAPPED = /^\s*<div>[ \t]*(?:\r?\n)?([\s\S]*?)\s*<\/div>\s*$/;

function text(data: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = data[key];
  if (v === undefined || v === null) {
    if (required) throw new ArticleFileError(`missing \`${key}\` in front matter`);
    return undefined;
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  throw new ArticleFileError(`\`${key}\` must be a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
}

function dateOf(data: Record<string, unknown>, key: string): Date | undefined {
  const raw = data[key];
  if (raw === undefined || raw === null) return undefined;
  const date = raw instanceof Date ? raw : parseFeedDate(typeof raw === 'number' ? String(raw) : raw);
  if (!date || Number.isNaN(date.getTime())) throw new ArticleFileError(`unreadable \`${key}\`: ${JSON.stringify(raw)}`);
  return date;
}

/** A list of plain values (a single value reads as a list of one). */
function listOf(data: Record<string, unknown>, key: string): unknown[] {
  const v = data[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((c, i) => {
    if (typeof c === 'string') return c;
    if (typeof c === 'number' || typeof c === 'boolean') return String(c);
    throw new ArticleFileError(`\`${key}[${i}]\` must be a string`);
  });
}

/** `enclosures:` entries: mappings with a `url`; cleaned as the normalizer cleans a feed's. */
function enclosuresOf(data: Record<string, unknown>): Enclosure[] {
  const v = data.enclosures;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ArticleFileError('`enclosures` must be a list');
  const list = v.map((e: unknown, i) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e) || typeof (e as { url?: unknown }).url !== 'string') {
      throw new ArticleFileError(`\`enclosures[${i}]\` must be a mapping with a \`url\``);
    }
    return e;
  });
  return articleEnclosures(list, undefined);
}

/** Reads an article file back (for the publisher). Throws ArticleFileError saying what is wrong. */
export function parseArticle(fileText: string): ArticleContent {
  return parseFile(fileText).content;
}

function parseFile(fileText: string): { content: ArticleContent; fm: Record<string, unknown> } {
  if (typeof fileText !== 'string') throw new ArticleFileError('not text');
  const m = FILE.exec(fileText);
  if (!m) throw new ArticleFileError('no front matter (the file must start with a `---` line and have a closing `---` line)');
  const doc = parseDocument(m[1] ?? '', { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new ArticleFileError(`bad YAML in front matter: ${doc.errors[0].message}`);
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ArticleFileError('front matter is not a mapping of keys to values');
  const fm = data as Record<string, unknown>;

  const title = text(fm, 'title', true)!;
  const date = dateOf(fm, 'date');
  if (!date) throw new ArticleFileError('missing `date` in front matter');
  const updated = dateOf(fm, 'updated');

  const categories = listOf(fm, 'categories') as string[];
  const headimg = text(fm, 'headimg', false) ?? text(fm, 'thumbnail', false) ?? '';
  const author = text(fm, 'author', false) ?? '';
  const link = text(fm, 'link', false);
  const guid = text(fm, 'guid', false);
  const permaLink = fm.guidIsPermaLink;
  if (permaLink !== undefined && permaLink !== null && typeof permaLink !== 'boolean') throw new ArticleFileError('`guidIsPermaLink` must be true or false');
  const summary = text(fm, 'summary', false);
  const tags = articleTags(listOf(fm, 'tags'), categories);
  const enclosures = enclosuresOf(fm);

  const body = m[2] ?? '';
  const wrapped = WRAPPED.exec(body);
  const html = (wrapped ? wrapped[1] : body).trim();
  const content: ArticleContent = {
    title,
    categories,
    headimg,
    author,
    date,
    ...(updated ? { updated } : {}),
    ...(link ? { link } : {}),
    ...(guid ? { guid } : {}),
    ...(guid && typeof permaLink === 'boolean' ? { guidIsPermaLink: permaLink } : {}),
    ...(summary ? { summary } : {}),
    html,
    tags,
    enclosures,
  };
  return { content, fm };
}
