import type http from 'node:http';
import type { RefeedConfig } from '../core/types.ts';
import type { CommandContext } from './command.ts';

export const listenOptions = `      --host HOST    address to bind (default: site.host, 127.0.0.1)
      --port N       port to bind, 0 for any free one (default: site.port, 8080)`;

/** Host and port from flags, else from the config. */
export function parseListen(ctx: CommandContext, config: RefeedConfig): { host: string; port: number } | undefined {
  const host = (ctx.values.host as string | undefined) ?? config.site.host;
  const rawPort = ctx.values.port as string | undefined;
  const port = rawPort === undefined ? config.site.port : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    ctx.err(`refeed: --port must be a number from 0 to 65535, not "${rawPort}"`);
    return undefined;
  }
  return { host, port };
}

/** Stops accepting, and drops idle keep-alive connections so close() returns promptly. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}
