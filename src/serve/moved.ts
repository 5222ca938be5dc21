import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { movedPath, MOVED_FEEDS_FILE, parseMovedFeeds, type MovedFeeds } from '../core/moved-feeds.ts';
import { FEED_FILES } from '../publish/plan.ts';

/** The names of feed files. */
export const FEED_NAMES: ReadonlySet<string> = new Set<string>(Object.values(FEED_FILES));

/**
 * Where a request for a renamed feed's old URL goes now (see
 * core/moved-feeds.ts): the map in the output folder, read again only when
 * the file changes.
 */
export function movedFeedsReader(root: string): (segments: readonly string[]) => Promise<string[] | undefined> {
  const file = path.join(root, MOVED_FEEDS_FILE);
  let cached: { mtimeMs: number; size: number; map: MovedFeeds } | undefined;
  return async (segments) => {
    if (segments.length < 2 || !FEED_NAMES.has(segments[segments.length - 1])) return undefined;
    let st;
    try {
      st = await stat(file);
    } catch {
      cached = undefined;
      return undefined;
    }
    if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
      cached = { mtimeMs: st.mtimeMs, size: st.size, map: parseMovedFeeds(await readFile(file, 'utf8').catch(() => '{}')) };
    }
    return movedPath(cached.map, segments, FEED_NAMES);
  };
}
