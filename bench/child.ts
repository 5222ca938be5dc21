import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Every bench child is a TypeScript module run through tsx, talking to the
// parent over the IPC channel with plain JSON messages.

export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface ChildOptions {
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export function forkTs(file: string, opts: ChildOptions = {}): ChildProcess {
  return fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execArgv: [...(opts.nodeArgs ?? []), '--import', 'tsx'],
    env: { ...process.env, REFEED_LOG_LEVEL: 'silent', ...opts.env },
    // stdout is the parent's report; a child's stray output goes to stderr.
    stdio: ['ignore', 2, 'inherit', 'ipc'],
  });
}

/** Resolves with the first message matching `accept`; rejects if the child exits or errors first. */
export function waitForMessage<T>(child: ChildProcess, accept: (m: unknown) => m is T): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if ((m as { type?: string })?.type === 'error') {
        cleanup();
        reject(new Error(`child failed: ${(m as { message?: string }).message ?? 'unknown error'}`));
      } else if (accept(m)) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`child exited (code ${code}, signal ${signal}) before answering`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** In a child: answers errors to the parent instead of dying silently. */
export function reportFatal(err: unknown): void {
  const e = err as Error;
  process.send?.({ type: 'error', message: e?.stack ?? String(err) });
}
