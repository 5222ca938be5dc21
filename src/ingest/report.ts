import type { ChannelStatus, FetchError } from '../core/types.ts';

/** What one channel's pass did: the run's per-channel line, the logs' and the status's source. */
export interface ChannelReport {
  key: string;
  url: string;
  status: ChannelStatus;
  newItems: number;
  updatedItems: number;
  /** Items whose link another channel already stored. */
  duplicates: number;
  error?: FetchError;
  /** Set when the feed was broken and read as far as its intent was clear: what was repaired (code `recovered`). */
  warnings?: string[];
  /** Entries (and their articles and files) removed beyond the channel's retention bound after this pass. */
  pruned?: number;
  /** Items under new guids recognised by content as articles the channel has (a feed that regenerates guids): not stored again. */
  sameContent?: number;
  /** Items dropped because an earlier item of the feed had the same guid but another link or content (logged as `guid-collision`). */
  guidCollisions?: number;
  /** Item pages fetched for their full text in this pass (full_text channels). */
  pagesFetched?: number;
  /** Of those, the pages that gave no article (their items keep the feed's content). */
  pagesFailed?: number;
  /** Set when a 301/308 moved the channel for good. */
  movedTo?: string;
  /** WebSub discovery (fetched feeds only): the hubs the feed names (Link header first) and its topic. */
  websub?: { hubs: string[]; topic: string };
  /** Set when the items came from a WebSub push rather than a fetch. */
  pushed?: boolean;
  ms: number;
}

/** How a channel's failure is recorded in the state and shown by `status`: `code: message`. */
export function errorStatusText(e: FetchError): string {
  return `${e.code}: ${e.message}`;
}

/** How a channel's warnings are recorded: `recovered: reason; reason`. */
export function warningStatusText(warnings: readonly string[]): string | undefined {
  return warnings.length ? `recovered: ${warnings.join('; ')}` : undefined;
}
