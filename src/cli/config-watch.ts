import { readFileSync, watch, type FSWatcher } from 'node:fs';
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
  const name = path.basename(file);
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
  const watcher: FSWatcher = watch(path.dirname(file), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    // A change event: whatever was settling starts over.
    settling = undefined;
    arm();
  });
  // Unhandled, an 'error' event would end the daemon: a watch lost is a reload by SIGHUP only, not a crash.
  watcher.on('error', (err) => {
    clearTimeout(timer);
    onError(err);
  });
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
