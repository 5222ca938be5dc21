import { createRequire, syncBuiltinESMExports } from 'node:module';

// What `npm run test:fast` (vitest.fast.config.ts, setup file
// tests/fast-guard.ts) forbids: the fast run is the tests that spawn no
// process and use no server. A test that does and is not listed as slow
// fails, loudly, instead of slowing the fast run down or silently leaving it.

const require = createRequire(import.meta.url);
const LIST = 'list its file in SLOW_TESTS (vitest.fast.config.ts): `npm run test:fast` runs no processes and no servers';
const PROCESS_FUNCTIONS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

function refuse(what: string): never {
  throw new Error(`this test ${what}: ${LIST}`);
}

/** Makes starting a process, listening or connecting throw; returns what undoes it. */
export function installFastGuard(): () => void {
  const childProcess = require('node:child_process') as Record<string, unknown>;
  const net = require('node:net') as typeof import('node:net');
  const saved = { process: PROCESS_FUNCTIONS.map((name) => [name, childProcess[name]] as const), listen: net.Server.prototype.listen, connect: net.Socket.prototype.connect };
  for (const name of PROCESS_FUNCTIONS) childProcess[name] = () => refuse(`starts a process (child_process.${name})`);
  net.Server.prototype.listen = function listen(): never {
    return refuse('starts a server (listen)');
  };
  net.Socket.prototype.connect = function connect(): never {
    return refuse('connects to a server (socket connect)');
  };
  // ESM imports of node:child_process read the CommonJS exports through this.
  syncBuiltinESMExports();
  return () => {
    for (const [name, fn] of saved.process) childProcess[name] = fn;
    net.Server.prototype.listen = saved.listen;
    net.Socket.prototype.connect = saved.connect;
    syncBuiltinESMExports();
  };
}
