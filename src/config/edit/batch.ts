import { urlKey } from '../cross-checks.ts';
import { formatPath } from '../errors.ts';
import { legacySlugify, slugify } from '../slug.ts';
import { checkCurrent, checkEntry, checkResult } from './checks.ts';
import { Editor } from './editor.ts';
import { asArray, lineOfPath, rawGroups, str } from './tree.ts';
import type { BatchResult, ChannelEntry } from './types.ts';

// Adding many channels at once (an OPML import of thousands): the file is
// parsed once, every entry is checked against an index of what the file and
// the batch hold so far (names, slugs, URLs: constant time each), and each
// list that grows is spliced once. Re-parsing the file per entry made a
// 1,000-outline import take 89 s and a 10,000-outline one never end.

type Value = Record<string, unknown>;

/**
 * Siblings found the way findNamed (tree.ts) finds them: by exact name, else
 * by slug (explicit, or derived from the name, old transliteration included),
 * the first in list order.
 */
class Siblings<T> {
  readonly items: T[] = [];
  private readonly byName = new Map<string, number>();
  private readonly bySlug = new Map<string, number>();

  add(name: string, slug: unknown, item: T): void {
    const at = this.items.push(item) - 1;
    if (!this.byName.has(name)) this.byName.set(name, at);
    for (const s of typeof slug === 'string' ? [slug] : [slugify(name), legacySlugify(name)]) if (!this.bySlug.has(s)) this.bySlug.set(s, at);
  }

  find(wanted: string): T | undefined {
    const exact = this.byName.get(wanted);
    if (exact !== undefined) return this.items[exact];
    const a = this.bySlug.get(wanted);
    const b = this.bySlug.get(slugify(wanted));
    const at = a === undefined ? b : b === undefined ? a : Math.min(a, b);
    return at === undefined ? undefined : this.items[at];
  }
}

interface SourceNode {
  path: (string | number)[];
  name: string;
  channels: Siblings<string>;
  /** Channels to add to an existing source; for a source this batch creates, its value (with its channels). */
  added: Value[];
  value?: Value & { channels: Value[] };
}

interface GroupNode {
  path: (string | number)[];
  name: string;
  sources: Siblings<SourceNode>;
  added: Value[];
  value?: Value & { sources: Value[] };
}

interface Known {
  where: string;
  path: (string | number)[];
  /** Whether it is in the file (its line can be named) or added by this batch. */
  inFile: boolean;
}

function channelValue(e: ChannelEntry): Value {
  return { name: e.channel, ...(e.slug ? { slug: e.slug } : {}), url: e.url, ...(e.schedule ? { schedule: e.schedule } : {}) };
}

/** Channels added one by one to an index of the file, then written into it in one edit. */
export class ChannelBatch {
  private readonly before: string[];
  private readonly editor: Editor;
  private readonly groups = new Siblings<GroupNode>();
  private readonly urls = new Map<string, Known>();
  private readonly newGroups: Value[] = [];
  private readonly added: ChannelEntry[] = [];
  private readonly skipped: BatchResult['skipped'] = [];
  private readonly changes: string[] = [];

  /** Throws EditError when the file itself is invalid. */
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.before = checkCurrent(text, file);
    this.editor = new Editor(text);
    rawGroups(this.editor.doc).forEach((g, gi) => {
      const group: GroupNode = { path: ['groups', gi], name: str(g.name), sources: new Siblings(), added: [] };
      this.groups.add(group.name, g.slug, group);
      asArray(g.sources).forEach((s, si) => {
        const source: SourceNode = { path: [...group.path, 'sources', si], name: str(s.name), channels: new Siblings(), added: [] };
        group.sources.add(source.name, s.slug, source);
        asArray(s.channels).forEach((c, ci) => {
          const name = str(c.name);
          source.channels.add(name, c.slug, name);
          const key = urlKey(str(c.url));
          if (!this.urls.has(key)) this.urls.set(key, { where: `${group.name} / ${source.name} / ${name}`, path: [...source.path, 'channels', ci, 'url'], inFile: true });
        });
      });
    });
  }

  get addedCount(): number {
    return this.added.length;
  }

  /** Adds `entry`, or records why not (invalid, its URL already there, its name taken). True when added. */
  add(entry: ChannelEntry): boolean {
    const why = checkEntry(entry) ?? this.conflict(entry);
    if (why) {
      this.skipped.push({ entry, reason: why });
      return false;
    }
    this.changes.push(this.place(entry));
    this.added.push(entry);
    return true;
  }

  /** The new text (every list that grew spliced once), checked like any hand-written file. Throws EditError when the result is invalid. */
  finish(): BatchResult {
    const warnings: string[] = [];
    if (!this.added.length) return { text: this.text, changes: [], warnings, added: [], skipped: this.skipped };
    // Outer lists first: where an inner list ends at the same offset as its parent, its new items go before the parent's.
    this.editor.appendAll(['groups'], this.newGroups);
    for (const g of this.groups.items) if (!g.value) this.editor.appendAll([...g.path, 'sources'], g.added);
    for (const g of this.groups.items) for (const s of g.sources.items) if (!s.value) this.editor.appendAll([...s.path, 'channels'], s.added);
    const out = this.editor.finish(warnings);
    checkResult(out, this.file, this.before, warnings);
    return { text: out, changes: this.changes, warnings, added: this.added, skipped: this.skipped };
  }

  private conflict(entry: ChannelEntry): string | undefined {
    const dup = this.urls.get(urlKey(entry.url));
    if (dup) {
      const line = dup.inFile ? lineOfPath(this.editor.doc, this.text, dup.path) : undefined;
      return `${entry.url} is already configured as ${dup.where} (${formatPath(dup.path.slice(0, -1))}${line ? `, line ${line}` : dup.inFile ? '' : ', added above'})`;
    }
    const group = this.groups.find(entry.group);
    const source = group?.sources.find(entry.source);
    const channel = source?.channels.find(entry.channel);
    if (channel !== undefined) return `source "${source!.name}" in group "${group!.name}" already has a channel "${channel}"`;
    return undefined;
  }

  /** Puts the entry in the index and in what gets written; returns the change line. */
  private place(entry: ChannelEntry): string {
    const channel = channelValue(entry);
    let group = this.groups.find(entry.group);
    let change: string;
    let source: SourceNode | undefined;
    if (!group) {
      const value = { name: entry.group, ...(entry.groupSlug ? { slug: entry.groupSlug } : {}), sources: [] as Value[] };
      group = { path: ['groups', this.groups.items.length], name: entry.group, sources: new Siblings(), added: [], value };
      this.groups.add(group.name, entry.groupSlug, group);
      this.newGroups.push(value);
      change = `added group ${entry.group}, source ${entry.source}, channel ${entry.channel} (${entry.url})`;
    } else {
      source = group.sources.find(entry.source);
      change = source
        ? `added channel ${entry.channel} to ${group.name} / ${source.name} (${entry.url})`
        : `added source ${entry.source} to group ${group.name}, channel ${entry.channel} (${entry.url})`;
    }
    if (!source) {
      const value = { name: entry.source, ...(entry.sourceSlug ? { slug: entry.sourceSlug } : {}), channels: [] as Value[] };
      source = { path: [...group.path, 'sources', group.sources.items.length], name: entry.source, channels: new Siblings(), added: [], value };
      group.sources.add(source.name, entry.sourceSlug, source);
      (group.value ? group.value.sources : group.added).push(value);
    }
    const ci = source.channels.items.length;
    source.channels.add(entry.channel, entry.slug, entry.channel);
    (source.value ? source.value.channels : source.added).push(channel);
    this.urls.set(urlKey(entry.url), { where: `${group.name} / ${source.name} / ${entry.channel}`, path: [...source.path, 'channels', ci, 'url'], inFile: false });
    return change;
  }
}

/**
 * Adds many entries (an OPML import): duplicates and invalid entries are
 * skipped with a reason, the rest land in one new text, the file touched
 * only where entries go.
 */
export function addChannels(text: string, file: string, entries: ChannelEntry[]): BatchResult {
  const batch = new ChannelBatch(text, file);
  for (const entry of entries) batch.add(entry);
  return batch.finish();
}
