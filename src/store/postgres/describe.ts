/** How messages and logs name a server database: host:port/database, never the user or password. No driver needed. */
export function describeServer(url: string): string {
  const u = new URL(url);
  const host = u.hostname || u.searchParams.get('host') || 'localhost';
  const port = u.port || u.searchParams.get('port') || '5432';
  return `${host}:${port}/${decodeURIComponent(u.pathname.replace(/^\//, ''))}`;
}
