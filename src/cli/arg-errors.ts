import { didYouMean } from '../util/suggest.ts';
import type { OptionSpec } from './command.ts';

// parseArgs' errors in refeed's words: which option, what is wrong with it,
// and the option that was probably meant.

/** One line saying what is wrong with the arguments, from the error parseArgs threw. */
export function argumentError(e: Error & { code?: string }, options: OptionSpec): string {
  const longs = Object.keys(options).map((name) => `--${name}`);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(e.message)?.[1] ?? '';
    const hint = given.startsWith('--') ? didYouMean(given, longs, (s) => s) : '';
    return `unknown option ${given}${hint}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /'(?:-\w, )?(--[\w-]+)/.exec(e.message)?.[1] ?? 'an option';
    if (/argument missing/.test(e.message)) return `${name} needs a value`;
    if (/does not take an argument/.test(e.message)) return `${name} takes no value`;
  }
  return e.message;
}
