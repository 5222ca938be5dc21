import { readFileSync, readlinkSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

// `run` (unless --no-watch): reload the configuration once its file has settled. An
// editor's save is often truncate-then-write, or write-then-rename, and a
// reload in between would read an empty or half-written file. So a change
// is acted on only after the file's content stayed the same for `stableMs`
// (and no change event came meanwhile); whether it then parses is the
// reload's business. The folder is watched, not the file: a save by rename
// replaces the file the watch was on.

export interface ConfigWatch {
  close(): void;
}

/**
 * Calls `onStable` with the file's content after each change of `file`, once
 * that content has stayed unchanged for `stableMs`. Throws when the folder
 * cannot be watched (no inotify watches left…); `onError` hears of a watch
 * that fails later (the folder removed), after which nothing is reported.
 */
export function watchConfigFile(file: string, onStable: (text: string) => void, stableMs = 300, onError: (err: Error) => void = () => {}): ConfigWatch {
  let timer: NodeJS.Timeout | undefined;
  /** The content read at the last look, while a change is settling; undefined when none is. */
  let settling: string | undefined;
  let closed = false;

  const read = (): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined; // mid-rename: not there for a moment
    }
  };
  const arm = () => {
    clearTimeout(timer);
    if (!closed) timer = setTimeout(look, stableMs);
  };
  const look = () => {
    const now = read();
    if (now === undefined || now !== settling) {
      // Changed since the last look (or the first look, or missing): look again after another quiet spell.
      settling = now;
      arm();
      return;
    }
    settling = undefined;
    onStable(now);
  };
  const onEvent = (names: ReadonlySet<string>) => (_event: string, changed: string | Buffer | null) => {
    if (changed !== null && !names.has(String(changed))) return;
    // A change event: whatever was settling starts over.
    settling = undefined;
    arm();
  };
  const watchers: FSWatcher[] = [];
  try {
    for (const [dir, names] of watchedNames(file)) {
      const watcher = watch(dir, onEvent(names));
      watchers.push(watcher);
      // Unhandled, an 'error' event would end the daemon: a watch lost is a reload by SIGHUP only, not a crash.
      watcher.on('error', (err) => {
        clearTimeout(timer);
        for (const w of watchers) w.close();
        onError(err);
      });
    }
  } catch (err) {
    for (const w of watchers) w.close();
    throw err;
  }
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/**
 * The folders to watch and the names in each whose change may change the
 * file's content: the file's own, and for a symlinked file (a config kept
 * elsewhere; a Kubernetes ConfigMap, whose `refeed.yaml -> ..data/refeed.yaml`
 * changes when `..data` is swapped) the link's first step and the file it
 * ends at.
 */
function watchedNames(file: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (dir: string, name: string) => (out.get(dir) ?? out.set(dir, new Set()).get(dir)!).add(name);
  const abs = path.resolve(file);
  add(path.dirname(abs), path.basename(abs));
  try {
    const link = readlinkSync(abs);
    const first = link.split(/[\\/]/)[0];
    if (!path.isAbsolute(link) && first && first !== '.' && first !== '..') add(path.dirname(abs), first);
    const real = realpathSync(abs);
    if (real !== abs) add(path.dirname(real), path.basename(real));
  } catch {
    // Not a symlink (or gone): the file's own name is all there is to watch.
  }
  return out;
}
