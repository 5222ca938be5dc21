import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

// What each editor command's help must explain, beyond its usage line.
const expectations: Record<string, RegExp[]> = {
  validate: [/^Usage: refeed validate/, /line/, /--json/, /Exit codes: 0 valid.*\n?.*2 any problem/s],
  sources: [/^Usage: refeed sources/, /never fetched/, /--schedule CRON/, /--keep-empty/, /Removing the last channel of a source removes the source/, /--dry-run/, /Exit codes/,
    /refeed sources rename TARGET NEW-NAME/, /--move-feeds/, /move CHANNEL --to-group G --to-source S/, /enable\|disable TARGET/, /set TARGET KEY VALUE/, /unset TARGET KEY/,
    /rules add TARGET "<action> <field>" VALUE/, /--allow-private/, /--no-check/, /unified diff/],
  opml: [/^Usage: refeed opml/, /import FILE/, /export/, /"Imported"/, /folder › feed/, /--dry-run/, /Exit codes/],
  discover: [/^Usage: refeed discover/, /rel="alternate"/, /--json/, /Exit codes/],
  preview: [/^Usage: refeed preview/, /front matter/, /nothing is stored/i, /--group/, /Exit codes/],
};

describe('help texts', () => {
  for (const [name, patterns] of Object.entries(expectations)) {
    it(`refeed ${name} --help prints its full help on stdout`, async () => {
      for (const flag of ['--help', '-h']) {
        const r = await capture([name, flag]);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        for (const p of patterns) expect(r.stdout).toMatch(p);
        expect(r.stdout).not.toMatch(/not built yet/);
      }
    });
  }

  it('refeed --help lists every editor command with a summary', async () => {
    const r = await capture(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(expectations)) {
      const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      expect(line!.trim().length).toBeGreaterThan(name.length + 10);
      expect(line).not.toMatch(/not built yet/);
    }
  });

  it('a bad option prints the command help on stderr with exit 64', async () => {
    const r = await capture(['sources', '--frobnicate']);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Usage: refeed sources/);
  });
});
