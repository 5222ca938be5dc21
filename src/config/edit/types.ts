import type { ConfigProblem } from '../errors.ts';

// What an edit takes and gives back.

/** One channel to add, with the group and source it goes under (created when missing). */
export interface ChannelEntry {
  group: string;
  source: string;
  channel: string;
  url: string;
  schedule?: string;
  /** Channel slug. */
  slug?: string;
  /** Slugs used only when the group / source is created by this edit. */
  groupSlug?: string;
  sourceSlug?: string;
  /** Write `allow_private: true` on the channel (a feed on a loopback or private address). */
  allowPrivate?: boolean;
}

export type RemoveTarget = { url: string } | { group: string; source?: string; channel?: string };

/** What a level edit is about: a channel (by URL), a group / source / channel by name, or `defaults` / `site`. */
export type EditTarget = RemoveTarget | { level: 'defaults' | 'site' };

export interface RemoveOptions {
  /** Keep a source whose last channel is removed (with `channels: []`) instead of removing it too. */
  keepEmptySource?: boolean;
}

export type EditErrorCode = 'bad-config' | 'duplicate' | 'invalid' | 'not-found';

export class EditError extends Error {
  constructor(
    readonly code: EditErrorCode,
    message: string,
    /** For `bad-config` / `invalid`: what parseConfig reported. */
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
    this.name = 'EditError';
  }
}

export interface EditResult {
  /** The whole new file text. */
  text: string;
  /** What changed, one human line each (`added channel …`, `removed source …`). */
  changes: string[];
  /** Notes worth showing: slug collisions the edit introduced, a layout that had to be reformatted. */
  warnings: string[];
}

export interface BatchResult extends EditResult {
  added: ChannelEntry[];
  skipped: { entry: ChannelEntry; reason: string }[];
}

