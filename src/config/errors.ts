export interface ConfigProblem {
  /** `groups[0].sources[1].channels[0].url`, or '' for the whole file. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
    /** What loading would also have warned about (slug collisions…), reported with the problems. */
    readonly warnings: ConfigProblem[] = [],
  ) {
    super(`invalid config ${file}:\n` + problems.map((p) => `  ${formatProblem(p)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  // A message that names its line already ("tab character at line 3") is not prefixed with it again.
  const named = p.line !== undefined && new RegExp(`\\bline ${p.line}\\b`).test(p.message);
  const where = [p.line && !named ? `line ${p.line}` : '', p.path].filter(Boolean).join(' ');
  return where ? `${where}: ${p.message}` : p.message;
}

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${String(s)}` : String(s);
  return out;
}
