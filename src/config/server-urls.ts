// `site.state` is a file path (SQLite) or a PostgreSQL URL; `site.queue` a
// Redis URL. Only their form is checked here (nothing is contacted), and no
// message repeats the URL: it may carry a password.

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function isPostgresUrl(state: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(state);
}

function parse(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** Why `state` can be neither a file path nor a PostgreSQL URL; undefined when it is fine. */
export function stateProblem(state: string): string | undefined {
  const scheme = SCHEME.exec(state)?.[1];
  if (scheme === undefined) return undefined; // a file path
  if (!isPostgresUrl(state)) return `unsupported scheme "${scheme}:": a file path (SQLite) or a postgres:// URL`;
  const u = parse(state);
  if (!u) return 'not a valid postgres:// URL (postgres://user:password@host:5432/database)';
  // libpq also takes the host as ?host=…, a Unix socket folder among others.
  if (!u.hostname && !u.searchParams.get('host')) return 'the postgres:// URL names no host (postgres://user:password@host:5432/database)';
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!db) return 'the postgres:// URL names no database (postgres://user:password@host:5432/database)';
  if (db.includes('/')) return `the postgres:// URL's database name must not contain "/"`;
  return undefined;
}

/** Why `queue` is not a Redis URL; undefined when it is fine. */
export function queueProblem(queue: string): string | undefined {
  const scheme = SCHEME.exec(queue)?.[1]?.toLowerCase();
  if (scheme !== 'redis' && scheme !== 'rediss') return 'must be a redis:// or rediss:// URL (redis://host:6379/0)';
  const u = parse(queue);
  if (!u) return `not a valid ${scheme}:// URL (redis://host:6379/0)`;
  if (!u.hostname) return `the ${scheme}:// URL names no host (redis://host:6379/0)`;
  const db = u.pathname.replace(/^\//, '');
  if (db && !/^\d{1,5}$/.test(db)) return `the ${scheme}:// URL's path must be a database number (redis://host:6379/0)`;
  for (const [name, value] of u.searchParams) {
    if (name !== 'prefix') return `the ${scheme}:// URL takes only ?prefix=NAME (the key prefix of refeed's queues), not ?${name}=`;
    if (!QUEUE_PREFIX.test(value)) return `the queue prefix must be 1 to 64 letters, digits, ".", "_", "-" or ":"`;
  }
  return undefined;
}

/** What a queue's keys may start with (?prefix=): two installations sharing one Redis each take their own. */
const QUEUE_PREFIX = /^[A-Za-z0-9._:-]{1,64}$/;

/** Why a queue cannot work with this state; undefined when it can. */
export function queueStateProblem(state: string): string | undefined {
  if (isPostgresUrl(state)) return undefined;
  return 'a queue needs a postgres:// site.state: workers on other machines share the state through it, and a SQLite file is one machine\'s';
}
