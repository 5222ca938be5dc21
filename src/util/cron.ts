import { createTask, validateDetailed } from 'node-cron';

// Cron expressions as refeed reads them: node-cron's syntax (5 fields, or 6
// with seconds first), judged and walked by node-cron itself so the scheduler,
// `refeed once` and `validate` can never disagree on when a schedule fires.

const FIELDS = [
  { key: 'second', name: 'second', min: 0, max: 59 },
  { key: 'minute', name: 'minute', min: 0, max: 59 },
  { key: 'hour', name: 'hour', min: 0, max: 23 },
  { key: 'dayOfMonth', name: 'day of month', min: 1, max: 31 },
  { key: 'month', name: 'month', min: 1, max: 12 },
  { key: 'dayOfWeek', name: 'day of week', min: 0, max: 7 },
] as const;

const MONTHS = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** node-cron silently folds a step larger than its field (`*\/61` fires at minute 0 only): refused instead. */
function stepProblem(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts[0]?.startsWith('@')) return undefined;
  const fields = parts.length === 5 ? FIELDS.slice(1) : FIELDS;
  for (const [i, part] of parts.entries()) {
    const f = fields[i];
    if (!f) break;
    for (const piece of part.split(',')) {
      const m = /\/(\d+)$/.exec(piece);
      if (m && (Number(m[1]) < 1 || Number(m[1]) > f.max)) return `"${piece}": the ${f.name} step must be 1 to ${f.max}`;
    }
  }
  return undefined;
}

/** node-cron's wording, made to say what the user should do. */
function explain(field: string, value: string | undefined, message: string): string {
  if (field === 'expression') return `not a cron expression: ${message} (minute hour day-of-month month day-of-week, optionally seconds first, e.g. "*/30 * * * *")`;
  const impossible = /^(\S+) (\S+) is an impossible day of month/.exec(message);
  if (impossible) {
    const names = impossible[2].split(',').map((m) => MONTHS[Number(m)] ?? m);
    return `never fires: ${names.join(' and ')} ${names.length > 1 ? 'have' : 'has'} no day ${impossible[1].replace(/,/g, ' or ')}`;
  }
  const f = FIELDS.find((x) => x.key === field);
  return f ? `"${value}" is not a valid ${f.name} (${f.min}-${f.max})` : message;
}

/** Why `expr` is not a schedule refeed can run; undefined when it is one. */
export function cronProblem(expr: string): string | undefined {
  const detail = validateDetailed(expr);
  if (!detail.valid) {
    const e = detail.errors[0];
    return e ? explain(e.field, e.value, e.message) : 'not a cron expression';
  }
  const step = stepProblem(expr);
  if (step) return step;
  if (nextFire(expr, Date.now()) === undefined) return 'never fires: no date in the next 100 years matches it';
  return undefined;
}

/** The matcher node-cron's own scheduler uses: a task is made only to reach it, and never started. */
function matcherOf(expr: string): { getNextMatch(d: Date): Date } {
  const task = createTask(expr, () => undefined);
  void task.destroy();
  const matcher = (task as unknown as { timeMatcher?: { getNextMatch?: unknown } }).timeMatcher;
  if (typeof matcher?.getNextMatch !== 'function') throw new Error('node-cron no longer exposes its time matcher: see src/util/cron.ts');
  return matcher as { getNextMatch(d: Date): Date };
}

function nextFire(expr: string, afterMs: number): number | undefined {
  try {
    return matcherOf(expr).getNextMatch(new Date(afterMs)).getTime();
  } catch (e) {
    if (/reasonable time range/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/**
 * `nextFireAfter(expr, t)`: when the schedule next fires strictly after `t`
 * (epoch ms), or undefined if it never does. Remembers one matcher per
 * expression (thousands of channels share a handful of schedules), and the
 * answer per expression and second: schedules fire on whole seconds, and the
 * channels of one run were fetched within a few of them.
 */
export function cronWalker(): (expr: string, afterMs: number) => number | undefined {
  const matchers = new Map<string, { getNextMatch(d: Date): Date } | null>();
  const answers = new Map<string, number | undefined>();
  return (expr, afterMs) => {
    const key = `${Math.floor(afterMs / 1000)} ${expr}`;
    if (answers.has(key)) return answers.get(key);
    let m = matchers.get(expr);
    if (m === undefined) {
      m = cronProblem(expr) ? null : matcherOf(expr);
      matchers.set(expr, m);
    }
    let next: number | undefined;
    try {
      next = m?.getNextMatch(new Date(afterMs)).getTime();
    } catch {
      next = undefined;
    }
    answers.set(key, next);
    return next;
  };
}
