import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Data flows config -> fetch -> normalize -> ingest/store -> publish -> serve,
// and each stage imports only from earlier ones (core types and generic
// helpers sit below all of them; the queue and the CLI drive the rest).
const ORDER = ['core', 'util', 'config', 'fetch', 'normalize', 'store', 'ingest', 'publish', 'schedule', 'queue', 'serve', 'cli'];
const SRC = path.resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const stageOf = (file: string) => path.relative(SRC, file).split(path.sep)[0];

describe('stages', () => {
  const files = sources(SRC);

  it('every source file sits in a known stage folder', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map(stageOf).filter((s) => !ORDER.includes(s))).toEqual([]);
  });

  it('each stage imports only from itself and earlier stages', () => {
    const backwards: string[] = [];
    for (const file of files) {
      const from = stageOf(file);
      // Static, side-effect and dynamic imports alike: a lazy import still ties the stages together.
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const to = stageOf(path.resolve(path.dirname(file), m[1]));
        if (ORDER.indexOf(to) > ORDER.indexOf(from)) backwards.push(`${path.relative(SRC, file)} imports ${m[1]} (${from} -> ${to})`);
      }
    }
    expect(backwards).toEqual([]);
  });

  it('publish knows only the Store interface: nothing from ingest, nothing from a store engine', () => {
    const forbidden = ['ingest', 'store/sqlite', 'store/postgres'];
    const found: string[] = [];
    for (const file of files.filter((f) => stageOf(f) === 'publish')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const to = path.relative(SRC, path.resolve(path.dirname(file), m[1])).split(path.sep).join('/');
        if (forbidden.some((f) => to === f || to.startsWith(`${f}/`))) found.push(`${path.relative(SRC, file)} imports ${m[1]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
