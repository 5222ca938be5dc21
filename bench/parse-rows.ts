import type { BenchOptions } from './args.ts';
import { measure, type Measurement } from './measure.ts';
import type { ParseReader } from './parse-throughput.ts';
import { parseVerdict, rates, spread, type Row } from './report.ts';

// The parse-throughput rows: refeed's reader and rss-parser, each in a fresh
// process per run, alternated run after run so both see the same machine.

export interface ParseRows {
  rows: Row[];
  notes: string[];
  problems: string[];
}

export async function measureParseRows(opts: BenchOptions, corpusDir: string, say: (msg: string) => void): Promise<ParseRows> {
  const feeds = opts.parseChannels;
  const runs: Record<ParseReader, Measurement[]> = { refeed: [], 'rss-parser': [] };
  const problems: string[] = [];
  say(`parse throughput ×${opts.runs} (${feeds} corpus feeds, refeed's reader and rss-parser alternated)…`);
  for (let r = 0; r < opts.runs; r++) {
    for (const reader of ['refeed', 'rss-parser'] as const) {
      const m = await measure({ kind: 'parse', reader, dir: corpusDir, channels: feeds });
      if (m.items !== feeds * opts.items) problems.push(`parse ${reader} run ${r + 1}: read ${m.items} items, expected ${feeds * opts.items}`);
      say(`  parse ${reader} ${r + 1}: ${(m.ms / 1000).toFixed(2)} s, ${m.items} items`);
      runs[reader].push(m);
    }
  }
  const itemsPerS = (xs: Measurement[]) => spread(rates(xs.map((m) => m.items ?? 0), xs.map((m) => m.ms), 1)).median;
  const ratio = itemsPerS(runs.refeed) / itemsPerS(runs['rss-parser']);
  const row = (xs: Measurement[]) => ({
    ms: xs.map((m) => m.ms),
    items: xs.map((m) => m.items ?? 0),
    bytes: xs.map((m) => m.bytes ?? 0),
    rssMB: xs.map((m) => m.maxRssMB),
  });
  const mb = (runs.refeed[0]?.bytes ?? 0) / 1e6;
  return {
    rows: [
      { name: `5. Parse throughput: refeed's reader (one htmlparser2 pass) on ${feeds} corpus feeds, ${mb.toFixed(1)} MB`, ...row(runs.refeed), ...parseVerdict(ratio) },
      { name: '5′. The same bytes through rss-parser (sax + xml2js): the same-run reference for 5', ...row(runs['rss-parser']), target: '(reference)', verdict: 'n/a' },
    ],
    notes: [
      `Parse throughput (rows 5, 5′): parseFeed (src/fetch) against rss-parser's parseString with default options, on the same decoded text of ${feeds} corpus feeds; ` +
        `each reader in a fresh process per run, after two untimed passes over the feeds (they warm the code and heap, as in a long-running process), the fastest of three timed passes (the machine is shared; others' load only slows a pass); no network, no normalizing. ` +
        `Peak RSS includes the feeds' text held in memory.`,
    ],
    problems,
  };
}
