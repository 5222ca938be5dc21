import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/core/log.ts';
import type { Command } from '../../src/cli/command.ts';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command the way src/cli/main.ts does (same parseArgs setup),
 * capturing what it writes to stdout and stderr. Used so these tests do not
 * depend on every other command module loading.
 */
export async function runCommand(command: Command, argv: string[], env: Record<string, string | undefined> = {}): Promise<Ran> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const parsed = parseArgs({
    args: argv,
    options: { ...command.options, help: { type: 'boolean', short: 'h' }, 'log-level': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    const code = await (await command.load())({
      values: parsed.values,
      positionals: parsed.positionals,
      logger: silentLogger,
      out: (t) => void stdout.push(t.endsWith('\n') ? t : `${t}\n`),
      err: (t) => void stderr.push(t.endsWith('\n') ? t : `${t}\n`),
      signal: new AbortController().signal,
    });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
