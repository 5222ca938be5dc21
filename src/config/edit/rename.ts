import type { KeptSlug } from '../../core/types.ts';
import { formatPath } from '../errors.ts';
import { looseTree, planSlugs } from '../slug-plan.ts';
import { isValidSlug } from '../slug.ts';
import { runEdit } from './run.ts';
import { locate, type Located } from './target.ts';
import { asArray, str } from './tree.ts';
import { EditError, type EditResult, type RemoveTarget } from './types.ts';

// Renaming a group, source or channel. Its slug is its identity — the folder
// its feeds are published in, the key its history is stored under — so a new
// name keeps the old slug: when the new name would give another slug and none
// is written, the old one is written as `slug:`. `--slug` or `moveFeeds`
// move the feeds on purpose; the next run then carries the history over and
// the old feed URLs answer 301 (core/moved-feeds.ts).

export interface RenameOptions {
  /** Give it this slug (its feeds move there). */
  slug?: string;
  /** Let the slug follow the new name (an explicit `slug:` is removed): its feeds move. */
  moveFeeds?: boolean;
  /** Slugs the state keeps for names (see resolve.ts), as the loaded configuration lists them. */
  kept?: readonly KeptSlug[];
}

type Tree = Record<string, unknown> & { groups?: unknown };

/** The slug the node at `at` is published under in `tree` (the file as plain data). */
function slugAt(tree: Tree, at: Located, kept: readonly KeptSlug[] = []): string {
  const pinned = kept.find((k) => k.path === formatPath(at.path));
  if (pinned) return pinned.slug;
  const g = planSlugs(looseTree(tree.groups)).groups[at.gi];
  return at.si < 0 ? g.slug : at.ci < 0 ? g.sources[at.si].slug : g.sources[at.si].channels[at.ci];
}

function siblingsOf(tree: Tree, at: Located): Record<string, unknown>[] {
  const groups = asArray(tree.groups as Record<string, unknown>[]);
  if (at.si < 0) return groups;
  const sources = asArray(groups[at.gi].sources as Record<string, unknown>[]);
  return at.ci < 0 ? sources : asArray(sources[at.si].channels as Record<string, unknown>[]);
}

export function renameEntry(text: string, file: string, target: RemoveTarget, newName: string, opts: RenameOptions = {}): EditResult {
  return runEdit(text, file, (editor) => {
    const name = newName.trim();
    if (!name) throw new EditError('invalid', 'the new name must not be empty');
    if (opts.slug !== undefined && !isValidSlug(opts.slug)) throw new EditError('invalid', `invalid slug "${opts.slug}": lowercase letters, digits and dashes, not a reserved name`);
    const at = locate(editor.doc, target);
    const tree = (editor.doc.toJS() ?? {}) as Tree;
    const siblings = siblingsOf(tree, at);
    const self = at.ci >= 0 ? at.ci : at.si >= 0 ? at.si : at.gi;
    const node = siblings[self];
    const what = at.kind;
    const oldName = str(node.name);
    const twin = siblings.findIndex((s, i) => i !== self && str(s.name) === name);
    if (twin >= 0) throw new EditError('duplicate', `there is already a ${what} named "${name}" beside it`);
    const oldSlug = slugAt(tree, at, opts.kept);
    const ownSlug = typeof node.slug === 'string' ? node.slug : undefined;
    node.name = name;
    if (opts.slug !== undefined) node.slug = opts.slug;
    else if (opts.moveFeeds) delete node.slug;
    const newSlug = slugAt(tree, at);
    if (name === oldName && newSlug === oldSlug) return { changes: [`${at.label} is already named "${name}"; nothing to change`] };

    const changes: string[] = [];
    if (name !== oldName) {
      editor.setKey(at.path, 'name', name);
      changes.push(`renamed ${what} "${oldName}" to "${name}"`);
    }
    if (opts.slug !== undefined) {
      if (opts.slug !== ownSlug) editor.setKey(at.path, 'slug', opts.slug, { after: 'name' });
    } else if (opts.moveFeeds) {
      if (ownSlug !== undefined) editor.deleteKey(at.path, 'slug');
    } else if (ownSlug === undefined && newSlug !== oldSlug) {
      // Pinned: the name changes, the identity does not.
      editor.setKey(at.path, 'slug', oldSlug, { after: 'name' });
      changes.push(`kept its slug "${oldSlug}" (written as slug: ${oldSlug}): its feed URLs and stored history stay where they are`);
      return { changes };
    }
    const finalSlug = opts.slug ?? (opts.moveFeeds ? newSlug : oldSlug);
    if (finalSlug !== oldSlug) {
      changes.push(
        `its feeds move from the slug "${oldSlug}" to "${finalSlug}": the next run carries its stored history over, and the old feed URLs redirect (301) to the new ones`,
      );
    }
    return { changes };
  });
}
