#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install` / `npm ci` through the
// `prepare` script, or `npm run build`).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
  process.stderr.write('refeed: the compiled code is missing (dist/): run `npm install` or `npm run build` first\n');
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
