import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProlog } from '../../src/fetch/prolog.ts';
import { formatOfRoot } from '../../src/fetch/read-xml.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

/** A fixture feed: its path, its name relative to tests/fixtures, and its bytes. */
export interface FixtureFeed {
  file: string;
  name: string;
  bytes: Buffer;
}

/** Every fixture file whose root element is a feed's (OPML, sitemaps, schemas and HTML fall out), by name. */
export function fixtureFeeds(): FixtureFeed[] {
  const out: FixtureFeed[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith('.xml')) {
        const bytes = readFileSync(file);
        const root = readProlog(bytes.toString('utf8').replace(/^[\s\uFEFF]+/, ''));
        if (root && formatOfRoot(root)) out.push({ file, name: path.relative(FIXTURES, file), bytes });
      }
    }
  };
  walk(FIXTURES);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
