import { RE2JS } from 're2js';

// Patterns editors write run on hostile item bodies. RE2 semantics (re2js,
// pure JS) match in time linear in the input, where a JavaScript RegExp such
// as /(a+)+$/ can backtrack for minutes; the price is no backreferences and
// no lookaround, which RE2 reports as a syntax error when the pattern is read.

/** A compiled, linear-time pattern. */
export interface Pattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean;
  /** `text` with every match replaced; `$1`/`${name}` in `replacement` name groups. */
  replaceAll(text: string, replacement: string): string;
}

export interface PatternOptions {
  /** Match ignoring case, as `(?i)` does (the include/exclude aliases always did). */
  caseInsensitive?: boolean;
}

/** The RE2 error for a pattern it cannot read, without the library's prefix. */
export class PatternError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'PatternError';
  }
}

/** Compiles `source` with RE2 semantics; throws PatternError when RE2 cannot express it. */
export function compilePattern(source: string, options: PatternOptions = {}): Pattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    // "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
    throw new PatternError(source, (e as Error).message.replace(/^error parsing regexp:\s*/, ''));
  }
  return {
    source,
    test: (text) => re.matcher(text).find(),
    replaceAll: (text, replacement) => re.matcher(text).replaceAll(replacement),
  };
}

/** Why RE2 cannot read `source`, or undefined when it can. */
export function patternProblem(source: string, options: PatternOptions = {}): string | undefined {
  try {
    compilePattern(source, options);
    return undefined;
  } catch (e) {
    return e instanceof PatternError ? e.message : String(e);
  }
}
