import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Issue 11: the normalize stage keeps no mutable state in its modules. What a
// channel pass keeps between items (the sanitizer's iframe hosts, compiled
// filters, the front-matter renderer's memory) lives in the objects
// createChannelNormalizer makes, so two channels, two runs or two workers can
// never see each other's. This reads the stage's sources and fails on a
// module-level `let`/`var`, or a module-level object built with `new` that is
// not declared read-only (a cache Map, a scratch Document…).

const DIR = fileURLToPath(new URL('../../src/normalize/', import.meta.url));
const READONLY_TYPES = /^Readonly(?:Set|Map)</;

function moduleState(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    for (const decl of list.declarations) {
      const name = decl.name.getText(source);
      if (!(list.flags & ts.NodeFlags.Const)) found.push(`${file}: module-level variable ${name}`);
      else if (decl.initializer && ts.isNewExpression(decl.initializer) && !READONLY_TYPES.test(decl.type?.getText(source) ?? '')) {
        found.push(`${file}: module-level ${decl.initializer.expression.getText(source)} ${name}`);
      }
    }
  }
  return found;
}

describe('normalize keeps no state in its modules', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));

  it('has no module-level variables or mutable objects', () => {
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => moduleState(f, readFileSync(DIR + f, 'utf8')))).toEqual([]);
  });

  it('would notice some', () => {
    const text = [
      'let state: object | undefined;',
      'const cache = new Map<string, RegExp>();',
      'const scratch = new Document(null);',
      'const TAGS: ReadonlySet<string> = new Set(["p"]);', // read-only: fine
      'function f() { let local = new Map(); return local; }', // not module-level: fine
    ].join('\n');
    expect(moduleState('bad.ts', text)).toEqual(['bad.ts: module-level variable state', 'bad.ts: module-level Map cache', 'bad.ts: module-level Document scratch']);
  });
});
