#!/usr/bin/env node
// `npm run bench`: brings dist/ up to date (what is measured is the compiled
// refeed, as the CLI runs it), then runs the TypeScript harness through tsx.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
