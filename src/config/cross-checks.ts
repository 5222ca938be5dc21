import path from 'node:path';
import { formatPath, type ConfigProblem } from './errors.ts';
import { isPostgresUrl } from './server-urls.ts';
import { looseList as list } from './slug-plan.ts';

// Rules that relate one part of the file to another (a URL configured twice,
// an output folder holding the configuration). They read the file as written,
// whatever its types, so they run alongside the schema and `validate` reports
// them in the same pass as every other problem.

type Raw = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);

/** A URL as a reader compares it: after WHATWG normalization (case of host, default port, empty path); as written when it does not parse. */
export function urlKey(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

export function crossChecks(raw: unknown, absFile: string, state: string | undefined, lineOf: (segs: PropertyKey[]) => number | undefined): ConfigProblem[] {
  const file = (raw !== null && typeof raw === 'object' ? raw : {}) as Raw;
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  list(file.groups).forEach((g, gi) =>
    list(g.sources).forEach((s, si) =>
      list(s.channels).forEach((c, ci) => {
        const url = text(c.url);
        if (!url) return;
        const segs = ['groups', gi, 'sources', si, 'channels', ci];
        const earlier = seen.get(urlKey(url));
        if (earlier) problems.push({ path: formatPath([...segs, 'url']), line: lineOf([...segs, 'url']), message: `duplicate URL, already at ${earlier}` });
        else seen.set(urlKey(url), formatPath(segs));
      }),
    ),
  );

  // The output folder is what gets served: the configuration (headers with
  // credentials) and the state database must never be in it.
  const site = (file.site !== null && typeof file.site === 'object' ? file.site : {}) as Raw;
  const baseDir = path.dirname(absFile);
  const output = path.resolve(baseDir, text(site.output) ?? 'feeds');
  const stateAt = state ?? text(site.state) ?? '.refeed/state.db';
  const inside = (p: string) => p === output || p.startsWith(output.endsWith(path.sep) ? output : output + path.sep);
  const files: [string, string][] = [['the configuration file', absFile]];
  if (!isPostgresUrl(stateAt)) files.push(['the state database', path.resolve(baseDir, stateAt)]);
  for (const [what, p] of files) {
    if (inside(p)) problems.push({ path: 'site.output', line: lineOf(['site', 'output']), message: `the output folder ${output} holds ${what} (${p}); it would be served: choose a folder of its own` });
  }
  return problems;
}
