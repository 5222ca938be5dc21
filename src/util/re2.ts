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
  /** `text` with every match replaced; `$1`/`$<name>` in `replacement` name groups, `$$` is a dollar. */
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

/**
 * Why `replacement` does not say what its writer meant with `source`'s
 * groups, or undefined. re2js writes an unknown reference as it is (`$3` with
 * two groups, `${name}`, `$0`), which would put "$3" into every title: caught
 * when the configuration is read instead.
 */
export function replacementProblem(source: string, replacement: string): string | undefined {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch {
    return undefined; // the pattern's own problem is reported
  }
  const groups = re.groupCount();
  const names = re.namedGroups() as Record<string, number>;
  const count = `the pattern has ${groups === 0 ? 'no groups' : groups === 1 ? 'one group' : `${groups} groups`}`;
  for (let i = replacement.indexOf('$'); i !== -1; i = replacement.indexOf('$', i + 1)) {
    const next = replacement[i + 1];
    if (next === '$') {
      i++; // `$$`: a dollar
    } else if (next === '{') {
      const inside = replacement.slice(i + 2, replacement.indexOf('}', i));
      return `"\${${inside}}" would be written as it is: write ${/^\d+$/.test(inside) ? `$${inside}` : `$<${inside}>`} for a group, $$ for a dollar`;
    } else if (next === '<') {
      const name = replacement.slice(i + 2, replacement.indexOf('>', i));
      if (!(name in names)) return `"$<${name}>" names no group of the pattern (${Object.keys(names).length ? `its named groups: ${Object.keys(names).join(', ')}` : 'it has no named groups: (?P<name>…)'})`;
    } else if (next === '0') {
      return '"$0" would be written as it is (it is not the whole match): put the pattern in a group and write $1';
    } else if (next !== undefined && next >= '1' && next <= '9' && Number(next) > groups) {
      return `"$${next}" names group ${next}, but ${count}; $$ is a dollar`;
    }
  }
  return undefined;
}
