// The refeed the benchmark measures: the compiled code in dist/, as the CLI
// runs it (worker threads included), typed by the sources. `npm run bench`
// builds dist/ first.
import type * as Config from '../src/config/index.ts';
import type * as Log from '../src/core/log.ts';
import type * as Fetch from '../src/fetch/index.ts';
import type * as Ingest from '../src/ingest/index.ts';
import type * as Normalize from '../src/normalize/index.ts';
import type * as Publish from '../src/publish/index.ts';
import type * as Store from '../src/store/index.ts';
import type * as Atomic from '../src/util/atomic-write.ts';

const dist = (p: string) => new URL(`../dist/${p}`, import.meta.url).href;

export const { loadConfig } = (await import(dist('config/index.js'))) as typeof Config;
export const { silentLogger } = (await import(dist('core/log.js'))) as typeof Log;
export const { parseFeed, createFetchAgents } = (await import(dist('fetch/index.js'))) as typeof Fetch;
export const { runFetch, syncChannels, ingestChannel, itemWrite, writeCommittedFiles, PreparePool } = (await import(dist('ingest/index.js'))) as typeof Ingest;
export const { createArticleRenderer, createSanitizer } = (await import(dist('normalize/index.js'))) as typeof Normalize;
export const { publish, Publisher, FRAGMENT_ENCODER } = (await import(dist('publish/index.js'))) as typeof Publish;
export const { openStore } = (await import(dist('store/index.js'))) as typeof Store;
export const { AtomicWriter } = (await import(dist('util/atomic-write.js'))) as typeof Atomic;
