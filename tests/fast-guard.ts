import { createRequire, syncBuiltinESMExports } from 'node:module';

// Setup file of `npm run test:fast` (vitest.fast.config.ts): the fast run is
// the tests that spawn no process and use no server. A test that does and is
// not listed as slow fails here, loudly, instead of slowing the fast run down
// or silently leaving it.

const require = createRequire(import.meta.url);
const LIST = 'list its file in SLOW_TESTS (vitest.fast.config.ts): `npm run test:fast` runs no processes and no servers';

function refuse(what: string): never {
  throw new Error(`this test ${what}: ${LIST}`);
}

const childProcess = require('node:child_process') as Record<string, unknown>;
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  childProcess[name] = () => refuse(`starts a process (child_process.${name})`);
}
const net = require('node:net') as typeof import('node:net');
net.Server.prototype.listen = function listen(): never {
  return refuse('starts a server (listen)');
};
net.Socket.prototype.connect = function connect(): never {
  return refuse('connects to a server (socket connect)');
};
// ESM imports of node:child_process read the CommonJS exports through this.
syncBuiltinESMExports();
