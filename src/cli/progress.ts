/** A one-line progress counter on stderr, only when a person is watching (TTY). */
export function progressLine(enabled = process.stderr.isTTY === true) {
  let last = 0;
  return {
    update(done: number, total: number, label: string) {
      if (!enabled) return;
      const t = Date.now();
      if (done < total && t - last < 100) return;
      last = t;
      const text = `[${done}/${total}] ${label}`.slice(0, (process.stderr.columns ?? 80) - 1);
      process.stderr.write(`\r\x1b[K${text}`);
    },
    done() {
      if (enabled) process.stderr.write('\r\x1b[K');
    },
  };
}
