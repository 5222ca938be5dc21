import { readdirSync } from 'node:fs';
import path from 'node:path';

// The article files' folders (articles/<group>/<source>/), read without the
// normalize stage: `status` asks whether there are any, and loads nothing more.

/** The visible sub-folders of `dir`, sorted; none when it cannot be read. */
export function articleDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Whether the output folder holds any article file (where a lost state can be restored from). */
export function hasArticleFiles(output: string): boolean {
  const root = path.join(output, 'articles');
  for (const g of articleDirs(root)) {
    for (const s of articleDirs(path.join(root, g))) {
      try {
        if (readdirSync(path.join(root, g, s)).some((n) => n.endsWith('.md') && !n.startsWith('.'))) return true;
      } catch {
        // unreadable folder: nothing to restore from there
      }
    }
  }
  return false;
}
