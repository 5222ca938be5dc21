import { parseArgs } from 'node:util';
import { DEFAULT_SEED } from './corpus.ts';

export interface BenchOptions {
  channels: number;
  items: number;
  runs: number;
  seed: number;
  /** Articles in the store the publish and one-new-item measurements run on. */
  store: number;
  /** Loopback ports the corpus is spread over (each is one "host" for refeed's per-host bound). */
  ports: number;
  quick: boolean;
  profile: boolean;
  keep: boolean;
  /** Where the results table is written. */
  out: string;
  /** Channels for the at-scale warm cycle (a corpus of its own, one item a channel); 0 skips it. */
  warmChannels: number;
  /** Only measure parse throughput (refeed's reader vs rss-parser), nothing else. */
  parseOnly: boolean;
  /** Corpus feeds the parse-throughput rows read. */
  parseChannels: number;
  /** Only the full-text rows (issue 21): pages/s of fetching and extracting local article pages. */
  fullTextOnly: boolean;
  /** Article pages the full-text rows read. */
  pages: number;
  /** Only the rows of issue 18: fetch + publish against the baseline, full publish on SQLite and on PostgreSQL. */
  engines: boolean;
}

export const HELP = `Usage: npm run bench -- [options]

Measures refeed on a synthetic corpus served from loopback, against a
minimal fetch + rss-parser + feed baseline, and writes bench/results.md.

Options:
  --channels N   channels in the corpus (default 1000; 100 with --quick)
  --items N      items per channel (default 50)
  --runs N       runs per measurement; the median is reported (default 3; 1 with --quick)
  --store N      articles in the store for the publish measurements (default 100000;
                 10000 with --quick); the corpus's own articles count towards it
  --seed N       corpus seed (default ${DEFAULT_SEED})
  --ports N      loopback ports ("hosts") the corpus is spread over (default 16)
  --warm-channels N
                 channels for the warm-cycle target, measured on a corpus of its own
                 (one item a channel: a 304 costs the same whatever the feed holds)
                 after one untimed cold cycle; default 10000, 0 skips it (--quick)
  --quick        smoke run: 100 channels, 1 run, 10,000-article store
  --parse-only   only measure parse throughput: refeed's reader against rss-parser
                 on the same corpus bytes, no network (a minute); writes
                 bench/out/parse-results.md unless --out is given
  --parse-channels N
                 corpus feeds the parse-throughput rows read (default 200, at
                 most --channels)
  --full-text-only
                 only measure full text (issue 21): N local article pages fetched
                 from loopback and extracted as full_text does (worker threads),
                 against readability on the main thread; pages/s and peak RSS;
                 writes bench/out/full-text-results.md unless --out is given
  --pages N      article pages the full-text rows read (default 400)
  --engines      only the rows of issue 18: baseline, cold fetch + publish, and a full
                 publish of the padded store on SQLite and on PostgreSQL (a server
                 as the tests get one: REFEED_TEST_POSTGRES_URL, else a temp one);
                 writes bench/out/engines-results.md unless --out is given
  --profile      only profile one cold cycle (node --cpu-prof) into bench/out/ and
                 print the top 15 functions by self time
  --keep         keep the work folder (output, state db) under bench/out/
  --out FILE     results file (default bench/results.md)
  -h, --help     this help

Exit code 1 when a target fails or a check finds refeed doing the wrong work
(e.g. a warm cycle rewriting files); 2 on bad options.`;

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

/** Parses argv; throws with a message naming the bad flag. Returns undefined for --help. */
export function parseBenchArgs(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      channels: { type: 'string' },
      items: { type: 'string' },
      runs: { type: 'string' },
      store: { type: 'string' },
      seed: { type: 'string' },
      ports: { type: 'string' },
      'warm-channels': { type: 'string' },
      'parse-channels': { type: 'string' },
      'parse-only': { type: 'boolean', default: false },
      'full-text-only': { type: 'boolean', default: false },
      pages: { type: 'string' },
      engines: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  const quick = values.quick!;
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`);
  const channels = positiveInt('channels', values.channels, quick ? 100 : 1000);
  const parseOnly = values['parse-only']!;
  const fullTextOnly = values['full-text-only']!;
  return {
    channels,
    items: positiveInt('items', values.items, 50),
    runs: positiveInt('runs', values.runs, quick ? 1 : 3),
    store: positiveInt('store', values.store, quick ? 10_000 : 100_000),
    seed,
    ports: positiveInt('ports', values.ports, 16),
    quick,
    profile: values.profile!,
    keep: values.keep!,
    out: values.out ?? (parseOnly ? 'bench/out/parse-results.md' : fullTextOnly ? 'bench/out/full-text-results.md' : values.engines ? 'bench/out/engines-results.md' : 'bench/results.md'),
    warmChannels: values['warm-channels'] === '0' ? 0 : positiveInt('warm-channels', values['warm-channels'], quick ? 0 : 10_000),
    parseOnly,
    fullTextOnly,
    pages: positiveInt('pages', values.pages, 400),
    engines: values.engines!,
    parseChannels: Math.min(channels, positiveInt('parse-channels', values['parse-channels'], 200)),
  };
}
