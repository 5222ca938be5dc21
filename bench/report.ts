// Turning measurements into the results table: medians with min–max, rates,
// targets with pass/fail. Pure functions; main.ts does the I/O.

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (!values.length) return { median: NaN, min: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

export type Verdict = 'PASS' | 'FAIL' | 'n/a';

export interface Row {
  name: string;
  /** Milliseconds per run. */
  ms: number[];
  /** Items per run, for items/s (omitted when a rate means nothing, e.g. an all-304 cycle). */
  items?: number[];
  /** Bytes per run, for MB/s. */
  bytes?: number[];
  rssMB: number[];
  target: string;
  verdict: Verdict;
  /** Why the verdict, in a few words (e.g. the measured ratio, or why n/a). */
  note?: string;
}

export const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtNum = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function withRange(s: Spread, fmt: (n: number) => string): string {
  return s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** Per-run rates: each run's amount over its own time, so one slow run shows in the range. */
export function rates(amount: readonly number[], ms: readonly number[], unit: number): number[] {
  return amount.map((a, i) => a / unit / (ms[i] / 1000));
}

export function formatTable(rows: readonly Row[]): string {
  const out = [
    '| Measurement | Time, median (min–max) | items/s | MB/s | Peak RSS MB, median (min–max) | Target | Result |',
    '|---|--:|--:|--:|--:|---|---|',
  ];
  for (const r of rows) {
    const itemsPerS = r.items ? withRange(spread(rates(r.items, r.ms, 1)), fmtNum) : '—';
    const mbPerS = r.bytes ? withRange(spread(rates(r.bytes, r.ms, 1e6)), fmtNum) : '—';
    const verdict = r.note ? `${r.verdict} — ${r.note}` : r.verdict;
    out.push(`| ${r.name} | ${withRange(spread(r.ms), fmtMs)} | ${itemsPerS} | ${mbPerS} | ${r.rssMB.length ? withRange(spread(r.rssMB), (n) => n.toFixed(0)) : '—'} | ${r.target} | ${verdict} |`);
  }
  return out.join('\n');
}

export const TARGETS = {
  coldRatio: 0.7,
  warmMs: 10_000,
  warmChannels: 10_000,
  oneNewMs: 1000,
  /** From a daemon's tick (fetch) to the new item's feed files written. */
  tickMs: 300,
  /** Start-up against a bare `node -e 0`: refeed --help, refeed status on the corpus's channels. */
  helpRatio: 2.5,
  statusRatio: 6,
  /** Peak RSS of a cold cycle (1,000 × 50), and of the steady state (all 304s). */
  coldRssMB: 400,
  warmRssMB: 250,
  publishMs: 5000,
  publishRssMB: 400,
  storeArticles: 100_000,
  /** refeed's reader against rss-parser, items/s on the same bytes: "several times faster". */
  parseRatio: 3,
} as const;

export function parseVerdict(ratio: number): Pick<Row, 'target' | 'verdict' | 'note'> {
  return { target: `≥ ${TARGETS.parseRatio}× rss-parser items/s`, verdict: ratio >= TARGETS.parseRatio ? 'PASS' : 'FAIL', note: `${ratio.toFixed(2)}× rss-parser` };
}

export function coldVerdict(ratio: number): Pick<Row, 'target' | 'verdict' | 'note'> {
  return { target: `≥ ${TARGETS.coldRatio}× baseline items/s`, verdict: ratio >= TARGETS.coldRatio ? 'PASS' : 'FAIL', note: `${ratio.toFixed(2)}× baseline` };
}

/** The warm target is for 10,000 channels; a smaller run is judged on a linear extrapolation, and says so. */
export function warmVerdict(medianMs: number, channels: number): Pick<Row, 'target' | 'verdict' | 'note'> {
  const target = `< ${TARGETS.warmMs / 1000} s for ${TARGETS.warmChannels.toLocaleString('en')} channels`;
  if (channels >= TARGETS.warmChannels) return { target, verdict: medianMs < TARGETS.warmMs ? 'PASS' : 'FAIL' };
  const projected = (medianMs * TARGETS.warmChannels) / channels;
  return {
    target,
    verdict: projected < TARGETS.warmMs ? 'PASS' : 'FAIL',
    note: `measured on ${channels.toLocaleString('en')} channels; linear extrapolation ${fmtMs(projected)}, an upper bound while fixed costs weigh (--warm-channels 10000 measures it)`,
  };
}

export function oneNewVerdict(medianMs: number, storeArticles: number, onlyAffected: boolean, problem?: string, limitMs: number = TARGETS.oneNewMs): Pick<Row, 'target' | 'verdict' | 'note'> {
  const target = `only affected feeds; < ${fmtMs(limitMs)} on a ${TARGETS.storeArticles.toLocaleString('en')}-article store`;
  if (!onlyAffected) return { target, verdict: 'FAIL', note: problem ?? 'published feeds the new item does not belong to' };
  if (storeArticles < TARGETS.storeArticles) return { target, verdict: 'n/a', note: `only affected feeds ✓; store has ${storeArticles.toLocaleString('en')} articles` };
  return { target, verdict: medianMs < limitMs ? 'PASS' : 'FAIL', note: 'only affected feeds ✓' };
}

export function publishVerdict(medianMs: number, peakRssMB: number, storeArticles: number): Pick<Row, 'target' | 'verdict' | 'note'> {
  const target = `< ${fmtMs(TARGETS.publishMs)}, peak RSS < ${TARGETS.publishRssMB} MB (${TARGETS.storeArticles.toLocaleString('en')} articles)`;
  if (storeArticles < TARGETS.storeArticles) return { target, verdict: 'n/a', note: `store has ${storeArticles.toLocaleString('en')} articles` };
  const ok = medianMs < TARGETS.publishMs && peakRssMB < TARGETS.publishRssMB;
  return { target, verdict: ok ? 'PASS' : 'FAIL' };
}

/** A start-up time against `node -e 0` measured alongside. */
export function startupVerdict(medianMs: number, nodeMs: number, limit: number): Pick<Row, 'target' | 'verdict' | 'note'> {
  const ratio = medianMs / nodeMs;
  return { target: `≤ ${limit}× a bare \`node -e 0\``, verdict: ratio <= limit ? 'PASS' : 'FAIL', note: `${ratio.toFixed(2)}× (node -e 0: ${fmtMs(nodeMs)})` };
}

/** A peak-RSS target on top of a row's own verdict. */
export function rssVerdict(v: Pick<Row, 'target' | 'verdict' | 'note'>, peakMB: number, limitMB: number): Pick<Row, 'target' | 'verdict' | 'note'> {
  const ok = peakMB < limitMB;
  return {
    target: `${v.target}; peak RSS < ${limitMB} MB`,
    verdict: v.verdict === 'FAIL' || !ok ? 'FAIL' : v.verdict,
    note: [v.note, `peak ${peakMB.toFixed(0)} MB`].filter(Boolean).join('; '),
  };
}
