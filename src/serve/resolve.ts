// Maps checked path segments to a real file under the root, following the
// rule "never serve a byte from outside root, nor a hidden file": symlinks are
// allowed only when their real target is inside root and not hidden.

import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type Resolved =
  | { kind: 'file'; realPath: string; /** Name as requested (decides the content type). */ name: string }
  | { kind: 'redirect-to-folder' }
  | { kind: 'not-found'; reason: string };

const INDEX = 'index.html';

export async function resolveUnderRoot(root: string, segments: string[], trailingSlash: boolean): Promise<Resolved> {
  // Dotfiles: `.tmp-*` from atomic writes, `.refeed` state, editors' leftovers.
  if (segments.some((s) => s.startsWith('.'))) return { kind: 'not-found', reason: 'hidden path' };

  // Realpath'd per request so a root that is itself a symlink swapped between
  // builds (atomic deploys) is followed.
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch {
    return { kind: 'not-found', reason: 'root missing' };
  }

  const requested = path.join(rootReal, ...segments);
  const target = await realInside(rootReal, requested);
  if (typeof target !== 'string') return target;

  let info;
  try {
    info = await stat(target);
  } catch {
    return { kind: 'not-found', reason: 'vanished' };
  }

  if (info.isDirectory()) {
    if (!trailingSlash) return { kind: 'redirect-to-folder' };
    const index = await realInside(rootReal, path.join(target, INDEX));
    if (typeof index !== 'string') return { kind: 'not-found', reason: 'folder without index.html' };
    return { kind: 'file', realPath: index, name: INDEX };
  }
  if (!info.isFile()) return { kind: 'not-found', reason: 'not a regular file' };
  if (trailingSlash) return { kind: 'not-found', reason: 'file asked for as a folder' };
  return { kind: 'file', realPath: target, name: segments[segments.length - 1] ?? INDEX };
}

/** Real path of `p` when it exists and is inside root and not hidden; otherwise why not. */
async function realInside(rootReal: string, p: string): Promise<string | { kind: 'not-found'; reason: string }> {
  if (!isInside(rootReal, p)) return { kind: 'not-found', reason: 'outside root' };
  let real: string;
  try {
    real = await realpath(p);
  } catch {
    return { kind: 'not-found', reason: 'no such file' };
  }
  if (!isInside(rootReal, real)) return { kind: 'not-found', reason: 'symlink leaves root' };
  const rel = path.relative(rootReal, real);
  if (rel !== '' && rel.split(path.sep).some((s) => s.startsWith('.'))) {
    return { kind: 'not-found', reason: 'symlink to hidden path' };
  }
  return real;
}

export function isInside(rootReal: string, p: string): boolean {
  if (p === rootReal) return true;
  const prefix = rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep;
  return p.startsWith(prefix);
}
