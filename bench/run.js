#!/usr/bin/env node
// `npm run bench`: runs the TypeScript harness through tsx, like bin/refeed.js.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
