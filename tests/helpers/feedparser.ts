import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Python feedparser (Debian's python3-feedparser) as a reference reader.
// Debian's python3, not whatever `python3` is first on the PATH (a pyenv one
// has no feedparser): $REFEED_PYTHON overrides. .ci/run installs it; elsewhere
// a missing feedparser skips its tests saying why, except under CI=true,
// where it is a failure (as a missing PostgreSQL or Chromium is).

const PYTHON = process.env.REFEED_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./feedparser-items.py', import.meta.url));

export interface FeedparserDoc {
  name: string;
  bytes: Buffer;
  /** The document's URL: the base of its relative links. */
  url: string;
}

export interface FeedparserItem {
  title: string | null;
  link: string | null;
  /** Epoch seconds. */
  date: number | null;
  author: string | null;
}

export interface FeedparserFeed {
  name: string;
  /** feedparser found the document not well-formed (it still reads what it can). */
  bozo: boolean;
  version: string;
  title: string | null;
  items: FeedparserItem[];
}

/** Why feedparser can't run here, or undefined when it can. */
export function feedparserMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import feedparser'], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return `no ${PYTHON} (apt-get install python3-feedparser, or set REFEED_PYTHON)`;
  if (r.status !== 0) return `${PYTHON} has no feedparser module (apt-get install python3-feedparser)`;
  return undefined;
}

/** Undefined after saying why the tests that need feedparser skip; under CI=true a missing feedparser throws. */
export function feedparserOrSkip(): true | undefined {
  const why = feedparserMissing();
  if (why === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`feedparser is required when CI=true: ${why}`);
  console.warn(`skipping the feedparser differential tests: ${why}`);
  return undefined;
}

/** Reads every document with feedparser, in one Python process. */
export function feedparserRead(docs: readonly FeedparserDoc[]): FeedparserFeed[] {
  const input = JSON.stringify(docs.map((d) => ({ name: d.name, url: d.url, bytes: d.bytes.toString('base64') })));
  const r = spawnSync(PYTHON, [SCRIPT], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`feedparser-items.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as FeedparserFeed[];
}
