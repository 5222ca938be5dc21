import { execFileSync } from 'node:child_process';
import path from 'node:path';

// Tests that start the real CLI run the compiled code in dist/, as users do:
// bring it up to date with the sources first (incremental, a few seconds).
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}
