import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { walkFiles } from './files.ts';
import type { Task, TaskResult } from './tasks.ts';

// Measurements of the real CLI: a fresh `node bin/refeed.js …` process timed
// from spawn to exit, as cron or a person at a shell starts it. Module
// loading, config parsing and everything else a real run does count.

const BIN = fileURLToPath(new URL('../bin/refeed.js', import.meta.url));

interface Ran {
  ms: number;
  code: number | null;
  stdout: string;
}

function runOnce(args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // `node -e 0` is the reference start: the same node, no script.
    const argv = args[0] === '-e' ? args : [BIN, ...args];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, REFEED_LOG_LEVEL: 'silent' } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: performance.now() - t0, code, stdout }));
  });
}

/** Published files (not articles) by path, with what identifies their bytes on disk. */
function snapshot(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of walkFiles(output, (r) => r === 'articles' || r.startsWith('articles/'))) {
    const st = statSync(path.join(output, rel));
    out.set(rel, `${st.ino}:${st.mtimeMs}:${st.size}`);
  }
  return out;
}

export async function runCliTask(task: Extract<Task, { kind: 'cli' }>): Promise<TaskResult> {
  const times: number[] = [];
  let last: Ran | undefined;
  const before = task.checkFeeds ? snapshot(task.checkFeeds) : undefined;
  for (let i = 0; i < task.repeat; i++) {
    last = await runOnce(task.args);
    if (last.code !== 0) throw new Error(`refeed ${task.args.join(' ')} exited ${last.code}`);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  const detail: Record<string, unknown> = { times };
  if (before && task.checkFeeds) {
    const after = snapshot(task.checkFeeds);
    detail.changedFeedFiles = [...after].filter(([rel, sig]) => before.get(rel) !== sig).map(([rel]) => rel).sort();
    // The fetch summary's last line: "N channels, F failed, X new items".
    const m = /(\d+) channels, (\d+) failed, (\d+) new items/.exec(last?.stdout ?? '');
    if (m) Object.assign(detail, { channels: Number(m[1]), failed: Number(m[2]), newItems: Number(m[3]) });
  }
  return { ms, detail };
}
