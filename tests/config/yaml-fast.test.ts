import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { fastParse } from '../../src/config/yaml-fast.ts';
import { benchConfigYaml } from '../../bench/bench-config.ts';

// The config loader reads the yaml package's lexemes (fast) and falls back
// to its Document API (which locates problems). Both must give the same data
// for any text the fast path accepts, and the fast path must accept nothing
// the Document API rejects, or a config would mean different things depending
// on whether it has a mistake elsewhere.

/** What the Document API makes of `text` (the reference), or undefined when it reports errors. */
function reference(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  return doc.errors.length ? undefined : doc.toJS();
}

function expectSame(text: string): void {
  const fast = fastParse(text);
  if (!fast) return;
  const ref = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  expect(ref.errors.map((e) => e.message), `the fast path accepted what the Document API rejects:\n${text}`).toEqual([]);
  expect(fast.value).toEqual(ref.toJS());
}

const SHIPPED = ['config/refeed.yaml', 'tests/fixtures/editors/commented.yaml'];

/** Scalars whose type depends on the schema: each must be read alike. */
const SCALARS = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'True', 'FALSE', 'null', '~', 'Null', '', '0', '-0', '+12', '012', '0o17', '0x1F', '0b101', '1_000',
  '1e3', '1.5e-3', '.5', '5.', '.inf', '-.Inf', '.NaN', '2024-01-01', '2024-01-01T10:00:00Z', '12:30', '1:20:30', '60s', '10MB', '"quoted"',
  "'single'", '"a\\tb"', '"\\u00e9"', 'a: b', '"*/30 * * * *"', 'https://x.example/feed?a=1&b=2', '!!str 12', '=', '<<', '2001:db8::1',
];

describe('config: the fast YAML path (lexemes) reads what the Document API reads', () => {
  it.each(SHIPPED)('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(fastParse(text), 'a shipped config must take the fast path').toBeDefined();
    expectSame(text);
  });

  it('a generated 1,000-channel config (what the benchmark loads)', () => {
    const text = benchConfigYaml({ channels: 1000, urlOf: (i) => `http://127.0.0.1:8080/feeds/${i}.rss?x=1&y=2`, output: '/tmp/out', state: '/tmp/state.db' });
    expect(fastParse(text)).toBeDefined();
    expectSame(text);
  });

  it.each(SCALARS)('the scalar %s', (scalar) => {
    const text = `key: ${scalar}\nlist:\n  - ${scalar}\n`;
    // expectSame checks nothing when the fast path declines: it may decline only a tag, or what is not YAML at all.
    if (!scalar.startsWith('!!')) expect(fastParse(text) === undefined, 'the fast path declines exactly what the Document API rejects').toBe(reference(text) === undefined);
    expectSame(text);
  });

  it('reads comments, quoting, block scalars, empty values and a document marker', () => {
    const text = [
      '# a comment',
      '',
      '---',
      'site:   # after a key',
      '  title: "Tab\\there \\u00e9"',
      "  description: 'it''s'",
      '  about: |',
      '    two',
      '    lines',
      '  folded: >-',
      '    one',
      '    line',
      '  plain: a long',
      '    plain scalar',
      '  empty:',
      'list:',
      '- a',
      '-',
      '- - nested',
      '  - seq',
      '- k: v',
      '  k2: v2',
      '  k3: |',
      '    in a compact mapping',
      '- |',
      '  in a sequence',
      'after: the sequence at its key\'s column',
      '# trailing',
      '',
    ].join('\n');
    expect(fastParse(text)).toBeDefined();
    expectSame(text);
  });

  it('a block scalar is indented from its collection, and ends its line', () => {
    // Found by the random documents: the second scalar's indentation was counted from the wrong line.
    const text = '"root":\n  - "a": |\n\n    "aa": |2-\n       !\n';
    expect(fastParse(text)).toEqual({ value: { root: [{ a: '', aa: ' !' }] } });
    expectSame(text);
  });

  it('anchors, aliases, tags, multi-line flow collections and duplicate keys go to the Document API (which bounds alias expansion)', () => {
    expect(fastParse('a: &x [1, 2]\nb: *x\n')).toBeUndefined();
    expect(fastParse('defaults: &d\n  timeout: 5s\nsite:\n  <<: *d\n')).toBeUndefined();
    // Ten levels of ten aliases each: the fast path does not expand them.
    const bomb = ['a0: &a0 [x]', ...Array.from({ length: 10 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`)].join('\n');
    expect(fastParse(bomb)).toBeUndefined();
    expect(fastParse('a: &x 1\nb: *x\n')).toBeUndefined();
    expect(fastParse('a: !!str 12\n')).toBeUndefined();
    expect(fastParse('a: [1,\n  2]\n')).toBeUndefined();
    expect(fastParse('a: { k: v } # c\nb: [1, "2", [x], { k: ~ },]\n')).toEqual({ value: { a: { k: 'v' }, b: [1, '2', ['x'], { k: null }] } });
    expect(fastParse('? a\n: 1\n')).toBeUndefined();
    expect(fastParse('a: 1\na: 2\n')).toBeUndefined();
    expect(fastParse('a: 1\n"a": 2\n')).toBeUndefined();
    expect(fastParse('a: 1\n---\nb: 2\n')).toBeUndefined();
    // A URL's & is not an anchor.
    expect(fastParse('url: https://x.example/?a=1&b=2\n')).toEqual({ value: { url: 'https://x.example/?a=1&b=2' } });
  });

  it("broken YAML still gets the Document API's located problems", () => {
    expect(() => parseConfig('site:\n  title: "open\n', '/tmp/x/refeed.yaml')).toThrow(/the " opened at line 2 is never closed/);
    expect(() => parseConfig('site:\n  title: a\n  title: b\n', '/tmp/x/refeed.yaml')).toThrow(/line 3: duplicate key "title" \(also at line 2\): keep one/);
  });

  it('an alias bomb is a problem of the file, not a crash', () => {
    const bomb = ['a0: &a0 [x]', ...Array.from({ length: 10 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`)].join('\n');
    let thrown: unknown;
    try {
      parseConfig(bomb, '/tmp/x/refeed.yaml');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(/Excessive alias count/);
  });

  it('a shipped config with random edits: whatever the fast path accepts, the Document API accepts alike', () => {
    const base = readFileSync('tests/fixtures/editors/commented.yaml', 'utf8');
    const edit = fc.record({
      at: fc.nat({ max: base.length - 1 }),
      drop: fc.nat({ max: 3 }),
      insert: fc.array(fc.constantFrom(' ', '  ', '\n', ':', '- ', '#', '"', "'", '&a ', '*a', '!!str ', '[', ']', '{', '}', ',', '|', '>', '? ', '---\n', '\\', 'x', '0', '~'), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let text = base;
        for (const e of edits) text = text.slice(0, e.at % text.length) + e.insert.join('') + text.slice((e.at % text.length) + e.drop);
        expectSame(text);
      }),
      { numRuns: 300 },
    );
  });

  it('random config-shaped documents, in block and flow styles', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_ -]{0,12}$/);
    const leaf = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(...SCALARS),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(tree, fc.boolean(), fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'), fc.integer({ min: 2, max: 4 }), fc.boolean(), (value, flow, defaultStringType, indent, indentSeq) => {
        const text = stringify({ root: value }, { collectionStyle: flow ? 'flow' : 'block', defaultStringType: defaultStringType as 'PLAIN', indent, indentSeq });
        expectSame(text);
        // What the yaml package writes in block style (no anchors; flow only for an empty collection), the fast path reads.
        if (!flow && !/[[{]/.test(text)) expect(fastParse(text), text).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});
