import { parseArgs } from 'node:util';
import { didYouMean } from '../util/suggest.ts';
import { argumentError } from './arg-errors.ts';
import { EXIT, type Command } from './command.ts';
import { commands } from './commands/index.ts';

const GLOBAL_HELP = `refeed — fetch RSS/Atom/JSON feeds, normalize them into Hexo articles, republish merged and per-category feeds

Usage: refeed [global options] <command> [options]

Commands:
${'{COMMANDS}'}

Global options:
  -c, --config FILE   configuration file (default: config/refeed.yaml)
      --log-level L   trace|debug|info|warn|error|silent (default: info; env REFEED_LOG_LEVEL)
  -h, --help          help for refeed or for a command

Global options go before or after the command (refeed --log-level warn status).
Logs are JSON lines on stderr (pretty on a terminal); data goes to stdout.
Run 'refeed <command> --help' for a command's options.`;

export function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return GLOBAL_HELP.replace('{COMMANDS}', list);
}

export function commandHelp(c: Command): string {
  return `Usage: ${c.usage}\n\n${c.summary}\n\n${c.help.trim()}\n`;
}

/** The global options that take a value, as they may be written before the command. */
const GLOBAL_VALUED: Record<string, string> = { '-c': 'config', '--config': 'config', '--log-level': 'log-level' };

/**
 * Splits `[global options] <command> [args]`: the global options written
 * before the command are handed to it as if written after it (the help lists
 * them as global, so `refeed --log-level warn status` must work). A string
 * is the error to report.
 */
export function splitGlobalOptions(argv: readonly string[]): { name: string | undefined; args: string[] } | string {
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-' || ['-h', '--help', '-v', '--version'].includes(a)) break;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (a.startsWith('-c') && !a.startsWith('--') && a.length > 2) {
      globals.push('-c', a.slice(2).replace(/^=/, ''));
    } else if (flag in GLOBAL_VALUED) {
      if (eq > 0) globals.push(a);
      else if (i + 1 < argv.length) globals.push(a, argv[++i]);
      else return `${a} needs a value`;
    } else {
      return `unknown global option ${flag}${didYouMean(flag, ['--config', '--log-level', '--help', '--version'], (s) => s)}`;
    }
  }
  const [name, ...rest] = argv.slice(i);
  return { name, args: [...globals, ...rest] };
}

export async function main(argv: string[]): Promise<number> {
  const out = (t: string) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
  const err = (t: string) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`);
  const split = splitGlobalOptions(argv);
  if (typeof split === 'string') {
    err(`refeed: ${split}\n\n${globalHelp()}`);
    return EXIT.usage;
  }
  const { name, args: rest } = split;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    out(globalHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    out('refeed 0.1.0');
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    err(`refeed: unknown command "${name}"${didYouMean(name, commands.map((c) => c.name))}\n\n${globalHelp()}`);
    return EXIT.usage;
  }
  let parsed;
  const options = { ...command.options, help: { type: 'boolean', short: 'h' }, 'log-level': { type: 'string' } } as const;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    err(`refeed ${name}: ${argumentError(e as Error, options)}\n\n${commandHelp(command)}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    out(commandHelp(command));
    return EXIT.ok;
  }
  // Loaded only now: help and argument errors need neither the logger nor the command's code.
  const [{ createLogger }, action] = await Promise.all([import('../core/log.ts'), command.load()]);
  const logger = createLogger({ level: parsed.values['log-level'] as string | undefined });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await action({ values: parsed.values, positionals: parsed.positionals, logger, out, err, signal: controller.signal });
  } catch (e) {
    logger.error({ err: e }, `${name} failed`);
    err(`refeed ${name}: ${(e as Error).message}`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
