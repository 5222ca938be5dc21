import path from 'node:path';

// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks functions
// by self time, so optimisation starts from what the profile says.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  /** Some tools (and older formats) write self time directly, in ms. */
  selfTime?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds between consecutive samples. */
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  functionName: string;
  /** Script URL, relative to `root` when under it; node: and internal URLs as given. */
  url: string;
  /** Line of the first frame seen (1-based), for finding it. */
  line: number;
  selfMs: number;
  /** Share of all sampled time, idle included. */
  percent: number;
}

export interface SelfTimeSummary {
  totalMs: number;
  idleMs: number;
  rows: SelfTimeRow[];
}

/** Per-node self time in ms: from the sample timeline when present (exact), else hitCount × mean interval, else `selfTime`. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const out = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples?.length && timeDeltas?.length === samples.length) {
    // timeDeltas[k] is the gap before sample k, so sample k lasted until sample k+1.
    for (let k = 0; k < samples.length; k++) {
      const us = k + 1 < samples.length ? timeDeltas[k + 1] : 0;
      out.set(samples[k], (out.get(samples[k]) ?? 0) + Math.max(0, us) / 1000);
    }
    return out;
  }
  const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const interval = hits ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
  for (const node of profile.nodes) out.set(node.id, node.hitCount !== undefined ? node.hitCount * interval : (node.selfTime ?? 0));
  return out;
}

function displayUrl(url: string, root: string | undefined): string {
  if (!url) return '';
  let p = url;
  if (p.startsWith('file://')) {
    try {
      p = new URL(p).pathname;
    } catch {
      return url;
    }
  }
  if (root && path.isAbsolute(p)) {
    const rel = path.relative(root, p);
    if (!rel.startsWith('..')) return rel;
  }
  return p;
}

/** Functions ranked by self time, aggregated by name + script (a function inlined or sampled at several nodes counts once). */
export function topSelfTime(profile: CpuProfile, limit = 15, root?: string): SelfTimeSummary {
  const times = selfTimes(profile);
  const byFn = new Map<string, SelfTimeRow>();
  let totalMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = times.get(node.id) ?? 0;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const name = functionName || '(anonymous)';
    const key = `${name}\u0000${url}`;
    const row = byFn.get(key);
    if (row) row.selfMs += ms;
    else byFn.set(key, { functionName: name, url: displayUrl(url, root), line: lineNumber + 1, selfMs: ms, percent: 0 });
  }
  const rows = [...byFn.values()].filter((r) => r.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs || a.functionName.localeCompare(b.functionName)).slice(0, limit);
  for (const r of rows) r.percent = totalMs ? (100 * r.selfMs) / totalMs : 0;
  return { totalMs, idleMs, rows };
}

export function formatSelfTime(s: SelfTimeSummary): string {
  const lines = [
    `Total sampled ${s.totalMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms (${s.totalMs ? ((100 * s.idleMs) / s.totalMs).toFixed(1) : '0'}%)`,
    '',
    '| # | self ms | % | function | where |',
    '|--:|--:|--:|---|---|',
  ];
  // Regex literals show up as functions named by their source: keep the table a table.
  const cell = (t: string) => (t.length > 70 ? `${t.slice(0, 67)}...` : t).replaceAll('|', '\\|').replaceAll('`', "'");
  s.rows.forEach((r, i) => {
    // TypeScript runs transpiled by tsx, so its line numbers are the generated code's: left out.
    const where = !r.url ? '(native)' : /\.[cm]?tsx?$/.test(r.url) ? r.url : `${r.url}:${r.line}`;
    lines.push(`| ${i + 1} | ${r.selfMs.toFixed(1)} | ${r.percent.toFixed(1)} | \`${cell(r.functionName)}\` | ${cell(where)} |`);
  });
  return lines.join('\n');
}
