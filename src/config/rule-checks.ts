import { formatPath, type ConfigProblem } from './errors.ts';
import { parseRuleKey } from './rules.ts';
import { looseList as list } from './slug-plan.ts';

// Rules that RE2 reads but that likely do not say what the editor meant:
// warnings, not errors (the file loads), with the line of the rule.

type Raw = Record<string, unknown>;

/** `example.com`, `news.bbc.co.uk` with a dot not escaped: `.` matches any character, so the rule also matches `exampleXcom`. */
const BARE_DOMAIN = /(?<![\\\w.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w-])/gi;

/** What looks wrong in one pattern, for a rule on `field` (a link, or text). */
export function patternWarnings(pattern: string, field: string, action: string): string[] {
  const out: string[] = [];
  if (pattern.includes('(i?)')) out.push('"(i?)" is an optional group matching "i", not a flag: write "(?i)" at the start to ignore case');
  if (pattern === '') out.push(action === 'keep' ? 'an empty pattern matches every item: this keep rule keeps everything, and the other keep rules do nothing' : 'an empty pattern matches every item: this rule blocks everything');
  if (field === 'link' && pattern.length <= 2000) {
    for (const m of pattern.matchAll(BARE_DOMAIN)) {
      const domain = m[1];
      out.push(`"${domain}": "." matches any character; write ${JSON.stringify(domain.replace(/\./g, '\\.'))} to match the dot itself`);
    }
  }
  return out;
}

/** Every level's rules (and include/exclude) checked for likely mistakes, each warning at the rule's line. */
export function ruleWarnings(raw: unknown, lineOf: (segs: PropertyKey[]) => number | undefined): ConfigProblem[] {
  const file = (raw !== null && typeof raw === 'object' ? raw : {}) as Raw;
  const levels: [PropertyKey[], Raw][] = [];
  if (file.defaults !== null && typeof file.defaults === 'object') levels.push([['defaults'], file.defaults as Raw]);
  list(file.groups).forEach((g, gi) => {
    levels.push([['groups', gi], g]);
    list(g.sources).forEach((s, si) => {
      levels.push([['groups', gi, 'sources', si], s]);
      list(s.channels).forEach((c, ci) => levels.push([['groups', gi, 'sources', si, 'channels', ci], c]));
    });
  });
  const out: ConfigProblem[] = [];
  const warn = (segs: PropertyKey[], messages: string[]) => {
    for (const message of messages) out.push({ path: formatPath(segs), line: lineOf(segs), message });
  };
  for (const [at, level] of levels) {
    if (Array.isArray(level.rules)) {
      level.rules.forEach((entry: unknown, i) => {
        if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return;
        const keys = Object.keys(entry);
        if (keys.length !== 1) return;
        const parsed = parseRuleKey(keys[0]);
        const value = (entry as Raw)[keys[0]];
        if ('problem' in parsed || typeof value !== 'string' || parsed.field === 'before' || parsed.field === 'after') return;
        warn([...at, 'rules', i, keys[0]], patternWarnings(value, parsed.field, parsed.action));
      });
    }
    for (const key of ['include', 'exclude'] as const) {
      const v = level[key];
      const patterns = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
      patterns.forEach((p: unknown, i) => {
        if (typeof p === 'string') warn(typeof v === 'string' ? [...at, key] : [...at, key, i], patternWarnings(p, 'any', key === 'include' ? 'keep' : 'block'));
      });
    }
  }
  return out;
}
