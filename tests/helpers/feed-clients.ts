import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import Parser from 'rss-parser';
import { z } from 'zod';

// Independent feed readers used to check published files: xmllint (libxml2),
// sfeed (Debian's C feed parser) and rss-parser (xml2js). A missing tool is a
// test FAILURE with the install hint, never a skip.

export const ATOM_RNG = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/publish/atom.rng');

function run(cmd: string, args: string[], input: string | undefined, pkg: string) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${cmd} is not installed: these tests need it. Install it with: apt-get install -y ${pkg}`);
  }
  if (r.error) throw r.error;
  return r;
}

/** xmllint --noout: throws with libxml2's messages unless `file` is well-formed XML. */
export function assertWellFormed(file: string): void {
  const r = run('xmllint', ['--noout', file], undefined, 'libxml2-utils');
  if (r.status !== 0) throw new Error(`${file} is not well-formed XML:\n${r.stderr}`);
}

/** xmllint --relaxng with the RFC 4287 schema: throws unless `file` is valid Atom. */
export function assertValidAtom(file: string): void {
  const r = run('xmllint', ['--noout', '--relaxng', ATOM_RNG, file], undefined, 'libxml2-utils');
  if (r.status !== 0) throw new Error(`${file} does not validate against RFC 4287 (atom.rng):\n${r.stderr}`);
}

export interface ClientItem {
  id?: string;
  title?: string;
  link?: string;
  /** Epoch seconds. */
  date?: number;
  author?: string;
  enclosure?: string;
  categories: string[];
}

const unescapeSfeed = (s: string) => s.replace(/\\([\\nt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));

/** Items as sfeed reads them (its TSV: timestamp, title, link, content, content-type, id, author, enclosure, category). */
export function sfeedItems(xml: string): ClientItem[] {
  const r = run('sfeed', [], xml, 'sfeed');
  if (r.status !== 0) throw new Error(`sfeed failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [ts, title, link, , , id, author, enclosure, category] = line.split('\t').map(unescapeSfeed);
      return {
        id: id || undefined,
        title,
        link: link || undefined,
        date: ts ? Number(ts) : undefined,
        author: author || undefined,
        enclosure: enclosure || undefined,
        categories: category ? category.split('|') : [],
      };
    });
}

/** Items as rss-parser reads them (RSS `guid`, Atom `id`). */
export async function rssParserItems(xml: string): Promise<ClientItem[]> {
  const feed = await new Parser().parseString(xml);
  return feed.items.map((i) => {
    const it = i as typeof i & { id?: string; author?: string };
    return {
      id: it.guid ?? it.id,
      title: it.title,
      link: it.link,
      date: it.isoDate ? Date.parse(it.isoDate) / 1000 : undefined,
      author: it.creator ?? it.author,
      enclosure: it.enclosure?.url,
      categories: (it.categories ?? []).map((c) => (typeof c === 'string' ? c : ((c as { _?: string; $?: { term?: string } }).$?.term ?? (c as { _?: string })._ ?? ''))),
    };
  });
}

// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the required fields
// and the types of the optional ones refeed writes.
const author = z
  .object({ name: z.string().optional(), url: z.string().optional(), avatar: z.string().optional() })
  .refine((a) => Object.keys(a).length > 0, 'an author needs at least one of name, url, avatar');
const rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
export const jsonFeed11Schema = z.object({
  version: z.literal('https://jsonfeed.org/version/1.1'),
  title: z.string(),
  home_page_url: z.string().url().optional(),
  feed_url: z.string().url().optional(),
  description: z.string().optional(),
  language: z.string().optional(),
  authors: z.array(author).optional(),
  items: z.array(
    z
      .object({
        id: z.string(),
        url: z.string().optional(),
        title: z.string().optional(),
        content_html: z.string().optional(),
        content_text: z.string().optional(),
        summary: z.string().optional(),
        image: z.string().optional(),
        date_published: rfc3339.optional(),
        date_modified: rfc3339.optional(),
        authors: z.array(author).optional(),
        tags: z.array(z.string()).optional(),
        attachments: z
          .array(
            z.object({
              url: z.string().url(),
              mime_type: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/),
              title: z.string().optional(),
              size_in_bytes: z.number().int().positive().optional(),
              duration_in_seconds: z.number().positive().optional(),
            }),
          )
          .optional(),
      })
      .refine((i) => i.content_html !== undefined || i.content_text !== undefined, 'an item needs content_html or content_text'),
  ),
});

/** An item as newsboat stored it in its cache (rss_item). */
export interface NewsboatItem {
  title: string;
  url: string;
  enclosureUrl: string | null;
  enclosureType: string | null;
}

export const NEWSBOAT = process.env.REFEED_NEWSBOAT ?? '/usr/bin/newsboat';

/**
 * Items as newsboat (a terminal feed and podcast reader) reads the feed at
 * `url`: `newsboat -x reload` in a fresh home, then its cache.db queried. Feeds
 * newsboat cannot read leave no items (its own error is in the result). Run
 * asynchronously: the feed is often served by the test's own process.
 */
export async function newsboatItems(url: string): Promise<{ items: NewsboatItem[]; stderr: string }> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'refeed-newsboat-'));
  try {
    writeFileSync(path.join(home, 'urls'), `${url}\n`);
    writeFileSync(path.join(home, 'config'), '');
    const cache = path.join(home, 'cache.db');
    const args = ['-u', path.join(home, 'urls'), '-c', cache, '-C', path.join(home, 'config'), '-x', 'reload'];
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, no_proxy: '127.0.0.1' };
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile(NEWSBOAT, args, { encoding: 'utf8', timeout: 30_000, env }, (err, _stdout, errText) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new Error(`${NEWSBOAT} is not installed: apt-get install -y newsboat`));
        else if (err) reject(new Error(`newsboat failed: ${err.message}\n${errText}`));
        else resolve(errText);
      });
    });
    const db = new Database(cache, { readonly: true });
    try {
      const items = db
        .prepare('SELECT title, url, enclosure_url AS enclosureUrl, enclosure_type AS enclosureType FROM rss_item ORDER BY pubDate DESC, id')
        .all() as NewsboatItem[];
      return { items, stderr };
    } finally {
      db.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
