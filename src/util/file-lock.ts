import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';

// A lock file beside what it protects: created exclusively (O_EXCL), holding
// who took it. A holder killed with SIGKILL leaves the file behind; it is
// stale once its process is gone (same host), and then taken over.

export interface LockHolder {
  pid: number;
  host: string;
  /** Epoch ms. */
  since: number;
  what: string;
}

export type FileLock =
  /** `tookOverFrom`: a holder that died holding the lock (it was killed, or its machine went down), whose files may be half-written. */
  | { acquired: true; release(): void; tookOverFrom?: LockHolder }
  | { acquired: false; holder: LockHolder };

/** Whether process `pid` is running on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') return { pid: h.pid, host: h.host, since: Number(h.since) || 0, what: String(h.what ?? '') };
  } catch {
    // being written right now, or not ours: treated as held
  }
  return undefined;
}

function tryTake(file: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock at `file`, waiting up to `waitMs` (polling) while a live
 * process holds it. Never waits on a dead holder. Released on release() or,
 * failing that, when this process exits normally.
 */
export async function acquireFileLock(file: string, opts: { waitMs: number; what: string; pollMs?: number; onWait?: (holder: LockHolder) => void }): Promise<FileLock> {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: Date.now(), what: opts.what };
  const deadline = Date.now() + opts.waitMs;
  let tookOverFrom: LockHolder | undefined;
  let waiting = false;
  for (;;) {
    if (tryTake(file, me)) {
      const release = () => {
        process.off('exit', release);
        const h = readHolder(file);
        if (h?.pid === me.pid && h.since === me.since) {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        }
      };
      process.on('exit', release);
      return { acquired: true, release, ...(tookOverFrom ? { tookOverFrom } : {}) };
    }
    const holder = readHolder(file);
    if (holder && holder.host === me.host && !processAlive(holder.pid)) {
      try {
        unlinkSync(file); // a killed run's: take it over
        tookOverFrom = holder;
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() >= deadline) return { acquired: false, holder: holder ?? { pid: 0, host: '?', since: 0, what: '' } };
    if (!waiting && holder) {
      // Said once, at the first sight of a live holder: a silent wait looks like a hang.
      waiting = true;
      opts.onWait?.(holder);
    }
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 250, Math.max(1, deadline - Date.now()))));
  }
}
