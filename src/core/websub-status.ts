import { readFileSync } from 'node:fs';
import path from 'node:path';

// The WebSub hubs' health as the publisher's pings left it (see
// publish/websub.ts), in a small file in the output folder (never served),
// so that `status` and `/metrics` of any process read it without loading the
// publisher.

export const WEBSUB_STATUS_FILE = '.refeed-websub.json';

export interface HubStatus {
  hub: string;
  /** Epoch ms of the last ping (answered or not). */
  lastPingAt?: number;
  lastSuccessAt?: number;
  /** Why the last ping failed (after its retries); absent once one succeeds. */
  lastError?: string;
  /** Pings (each after its retries) failed since the last success. */
  consecutiveFailures: number;
  /** Feed URLs given up on (after their retries, or for want of room), in all. */
  droppedUrls: number;
}

/** The hubs' health as last recorded in `output`, by hub URL; empty when none was. */
export function readHubStatus(output: string): Map<string, HubStatus> {
  try {
    const v = JSON.parse(readFileSync(path.join(output, WEBSUB_STATUS_FILE), 'utf8')) as { hubs?: HubStatus[] };
    return new Map((Array.isArray(v.hubs) ? v.hubs : []).filter((h) => typeof h?.hub === 'string').map((h) => [h.hub, h]));
  } catch {
    return new Map();
  }
}
