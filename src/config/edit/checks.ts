import type { ConfigNote } from '../../core/types.ts';
import { cronProblem } from '../../util/cron.ts';
import { ConfigError, formatProblem } from '../errors.ts';
import { parseConfig } from '../load.ts';
import { channelSchema } from '../schema.ts';
import { isValidSlug } from '../slug.ts';
import { EditError, type ChannelEntry } from './types.ts';

// Every edit is checked like a hand-written file: the file before (it must
// be valid to be edited), each entry, and the file after. The file alone:
// a bad $REFEED_STATE is not the file's problem, and no edit can fix it.
const FILE_ONLY = {};

/** A warning as edits compare them: lines move with an edit, what a warning is about does not. */
const about = (w: ConfigNote) => `${w.path}\n${w.message}`;

export function checkCurrent(text: string, file: string): string[] {
  try {
    // An empty file (or one with only comments or `site`) is where a first channel gets added: the result is checked in full.
    return parseConfig(text, file, FILE_ONLY, { allowNoChannels: true }).warnings.map(about);
  } catch (e) {
    if (e instanceof ConfigError) throw new EditError('bad-config', `${file} is not a valid configuration; fix it first (refeed validate)`, e.problems);
    throw e;
  }
}

/** The same rules the loader applies, per entry, so a bad value is named before anything is touched. */
export function checkEntry(entry: ChannelEntry): string | undefined {
  for (const [label, v] of [['group', entry.group], ['source', entry.source], ['channel', entry.channel]] as const) {
    if (!v || !v.trim()) return `the ${label} name must not be empty`;
  }
  const parsed = channelSchema.safeParse({ name: entry.channel, url: entry.url });
  if (!parsed.success) return `invalid URL "${entry.url}": ${parsed.error.issues[0].message}`;
  const cron = entry.schedule === undefined ? undefined : cronProblem(entry.schedule);
  if (cron) return `invalid schedule "${entry.schedule}": ${cron}`;
  for (const [label, v] of [['slug', entry.slug], ['group slug', entry.groupSlug], ['source slug', entry.sourceSlug]] as const) {
    if (v !== undefined && !isValidSlug(v)) return `invalid ${label} "${v}": lowercase letters, digits and dashes, not a reserved name`;
  }
  return undefined;
}

export function checkResult(text: string, file: string, before: string[], warnings: string[]): void {
  try {
    const after = parseConfig(text, file, FILE_ONLY).warnings;
    warnings.push(...after.filter((w) => !before.includes(about(w))).map(formatProblem));
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new EditError('invalid', `the edit would make the configuration invalid: ${e.problems.map(formatProblem).join('; ')}`, e.problems);
    }
    throw e;
  }
}

