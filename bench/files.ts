import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Files under `dir`, as `/`-separated paths relative to it; `skip` prunes a relative path (and its subtree). */
export function walkFiles(dir: string, skip: (rel: string) => boolean = () => false, rel = ''): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(path.join(dir, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r)) continue;
    if (e.isDirectory()) out.push(...walkFiles(dir, skip, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}
