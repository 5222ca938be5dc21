import { createHash } from 'node:crypto';

/** Row key of an article: its identity scoped to the channel that brought it. */
export function articleId(channelKey: string, identity: string): string {
  return createHash('sha1').update(channelKey).update('\n').update(identity).digest('hex');
}

/**
 * Path of an article file relative to the output folder. Named by the id hash
 * so it stays the same for the same item across runs whatever its title does,
 * and is safe on every filesystem (no case, length or character issues).
 */
export function articlePath(slugs: readonly [string, string, string], id: string): string {
  return `articles/${slugs[0]}/${slugs[1]}/${id.slice(0, 20)}.md`;
}
