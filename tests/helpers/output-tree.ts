import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every file under `root` as text, by its path relative to `root` (`/`-separated): what tests compare whole outputs by. */
export function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, readFileSync(path.join(root, r), 'utf8'));
    }
  };
  walk('');
  return out;
}
