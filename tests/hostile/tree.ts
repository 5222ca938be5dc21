import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listFiles } from './scan.ts';

// Output-tree helpers shared by the hostile suites.

/** Every file under `dir` (relative path → bytes), atomic-write leftovers (`.tmp-*`) apart. */
export function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const rel of listFiles(dir)) if (!path.basename(rel).startsWith('.tmp-')) out.set(rel, readFileSync(path.join(dir, rel)));
  return out;
}

/** Relative paths whose bytes differ between two snapshots (missing on either side included). */
export function differences(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => !a.get(k) || !b.get(k) || !a.get(k)!.equals(b.get(k)!)).sort();
}

/**
 * Checks that every published feed file under `dir` is complete: XML files
 * well-formed for libxml2 (one xmllint run for all of them), feed.json files
 * parse. Returns the problems (empty when all is well).
 */
export function feedFileProblems(dir: string): string[] {
  const files = listFiles(dir).filter((f) => !path.basename(f).startsWith('.') && !f.startsWith('articles/'));
  const xml = files.filter((f) => f.endsWith('.xml') || f.endsWith('.opml'));
  const problems: string[] = [];
  if (xml.length) {
    const r = spawnSync('xmllint', ['--noout', ...xml], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error('xmllint is not installed: apt-get install -y libxml2-utils');
    if (r.status !== 0) problems.push(`xmllint: ${r.stderr.slice(0, 2000)}`);
  }
  for (const f of files.filter((x) => x.endsWith('.json'))) {
    try {
      const feed = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
      if (!Array.isArray(feed.items)) problems.push(`${f}: no items array`);
    } catch (err) {
      problems.push(`${f}: ${(err as Error).message}`);
    }
  }
  return problems;
}
