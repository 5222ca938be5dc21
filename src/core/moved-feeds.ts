// Where renamed feeds went. A channel, source or group whose slug changes
// publishes under a new folder; its old feed URLs answer 301 to the new ones,
// so subscribers follow instead of reading a frozen feed. The map is kept in
// the output folder (a hidden file, never served) by the channel sync that
// sees the rename, and read by the server.

/** The map's file, in the output folder. */
export const MOVED_FEEDS_FILE = '.refeed-moved.json';

/** Old feed key ('g', 'g/s', 'g/s/c') → the key it is published under now. */
export type MovedFeeds = Map<string, string>;

export function parseMovedFeeds(text: string): MovedFeeds {
  try {
    const v = JSON.parse(text) as { moved?: unknown };
    if (v && typeof v.moved === 'object' && v.moved) {
      return new Map(Object.entries(v.moved as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // a damaged file redirects nothing
  }
  return new Map();
}

export function serializeMovedFeeds(moved: MovedFeeds): string {
  return `${JSON.stringify({ moved: Object.fromEntries([...moved].sort(([a], [b]) => a.localeCompare(b))) }, null, 2)}\n`;
}

const prefix = (key: string, levels: number) => key.split('/').slice(0, levels).join('/');

/**
 * `prev` with the channel renames `renamed` added: each channel's old key,
 * and its group's and source's when all of their renamed channels agree on
 * where they went. Chains collapse (a→b, b→c: a→c), and a key published
 * again (`current`) is no longer redirected.
 */
export function mergeMovedFeeds(prev: MovedFeeds, renamed: readonly { from: string; to: string }[], current: ReadonlySet<string>): MovedFeeds {
  const next = new Map(prev);
  for (const levels of [1, 2]) {
    const targets = new Map<string, Set<string>>();
    for (const r of renamed) {
      const from = prefix(r.from, levels);
      const to = prefix(r.to, levels);
      if (from !== to) targets.set(from, (targets.get(from) ?? new Set()).add(to));
    }
    for (const [from, to] of targets) if (to.size === 1) next.set(from, [...to][0]);
  }
  for (const r of renamed) if (r.from !== r.to) next.set(r.from, r.to);
  for (const [from] of next) {
    let to = next.get(from)!;
    for (let hops = 0; next.has(to) && to !== from && hops < 16; hops++) to = next.get(to)!;
    next.set(from, to);
  }
  for (const [from, to] of [...next]) if (current.has(from) || from === to) next.delete(from);
  return next;
}

/**
 * The path a request for `segments` (a feed file in an old feed's folder)
 * moved to, as segments; undefined when it did not move.
 */
export function movedPath(moved: MovedFeeds, segments: readonly string[], feedFiles: ReadonlySet<string>): string[] | undefined {
  if (segments.length < 2 || segments.length > 4 || !feedFiles.has(segments[segments.length - 1])) return undefined;
  const to = moved.get(segments.slice(0, -1).join('/'));
  return to === undefined ? undefined : [...to.split('/'), segments[segments.length - 1]];
}
