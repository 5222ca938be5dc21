import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { thrownBy } from '../helpers/thrown.ts';
import { compilePattern } from '../../src/util/re2.ts';

// Issue 21: `rewrite:`, `tracking_pixels`, `image` and `fallback_image` at
// every level, as spec21.md fixes them; what RE2 or css-select cannot read is
// a config error with their reason.

const yaml = (defaults: string, channel = '', group = '') => `
site: { url: "https://feeds.example/" }
defaults:
${defaults}
groups:
  - name: G
${group}
    sources:
      - name: S
        channels:
          - name: C
            url: https://a.example/feed.xml
${channel}
          - name: D
            url: https://a.example/d.xml
`;

const parse = (text: string) => parseConfig(text, '/tmp/x/refeed.yaml');
const problemsOf = (text: string) => thrownBy(ConfigError, () => parse(text), 'the config to be rejected').problems;

describe('rewrite config', () => {
  it('reads every rewrite; levels accumulate (defaults first), other keys override', () => {
    const c = parse(
      yaml(
        `  rewrite:
    - replace title: "^Sponsored:\\\\s*"
      with: ""
  tracking_pixels: true`,
        `            rewrite:
              - remove: ".share-buttons, figure.ad"
              - prefix title: "[LWN] "
              - suffix title: " (via HN)"
            tracking_pixels: false
            image: https://example.org/logo.png
            fallback_image: none`,
        `    rewrite:
      - replace content: "\\\\s*Read more…$"
        with: ""
    fallback_image: "https://example.org/ph-{n}.png"`,
      ),
    );
    const [ch, other] = c.channels;
    expect(ch.settings.rewrite).toEqual([
      { kind: 'replace', field: 'title', pattern: '^Sponsored:\\s*', with: '' },
      { kind: 'replace', field: 'content', pattern: '\\s*Read more…$', with: '' },
      { kind: 'remove', selector: '.share-buttons, figure.ad' },
      { kind: 'prefix', text: '[LWN] ' },
      { kind: 'suffix', text: ' (via HN)' },
    ]);
    expect(ch.settings.trackingPixels).toBe(false);
    expect(ch.settings.image).toBe('https://example.org/logo.png');
    expect(ch.settings.fallbackImage).toBe('');
    // The sibling gets only what defaults and the group set.
    expect(other.settings.rewrite).toHaveLength(2);
    expect(other.settings.trackingPixels).toBe(true);
    expect(other.settings.image).toBeUndefined();
    expect(other.settings.fallbackImage).toBe('https://example.org/ph-{n}.png');
  });

  it('defaults: no rewrites, tracking pixels dropped, no image or fallback of its own', () => {
    const s = parse(yaml('  limit: 5')).channels[0].settings;
    expect(s.rewrite).toEqual([]);
    expect(s.trackingPixels).toBe(true);
    expect(s.image).toBeUndefined();
    expect(s.fallbackImage).toBeUndefined();
  });

  it('rejects a pattern RE2 cannot express, with its reason', () => {
    const p = problemsOf(yaml(`  rewrite:\n    - replace title: "(?<=x)y"\n      with: ""`));
    expect(p).toHaveLength(1);
    expect(p[0].path).toBe('defaults.rewrite[0].replace title');
    expect(p[0].message).toMatch(/invalid pattern "\(\?<=x\)y": .*\(\?<.*RE2 syntax/);
    const bad = problemsOf(yaml(`  rewrite:\n    - replace content: "(a"\n      with: ""`));
    expect(bad[0].message).toMatch(/invalid pattern "\(a": missing closing \)/);
  });

  it('rejects a replacement naming a group the pattern lacks, which would be written into every title as it is', () => {
    const msg = (pattern: string, replacement: string) => problemsOf(yaml(`  rewrite:\n    - replace title: "${pattern}"\n      with: "${replacement}"`))[0];
    const three = msg('(a)(b)', '$3');
    expect(three.message).toBe('"with": "$3" names group 3, but the pattern has 2 groups; $$ is a dollar');
    expect(three.path).toBe('defaults.rewrite[0].with');
    expect(msg('(?P<club>Porto)', '${club} wins').message).toBe('"with": "${club}" would be written as it is: write $<club> for a group, $$ for a dollar');
    expect(msg('(?P<club>Porto)', '$<team>').message).toMatch(/"\$<team>" names no group of the pattern \(its named groups: club\)/);
    expect(msg('Porto', '$0!').message).toMatch(/"\$0" would be written as it is \(it is not the whole match\)/);
    expect(msg('price', 'costs $5').message).toMatch(/"\$5" names group 5, but the pattern has no groups; \$\$ is a dollar/);
    // What re2js does with each reference these accept:
    const ok = parse(yaml(`  rewrite:\n    - replace title: "(?P<club>Porto) (\\\\w+)"\n      with: "$<club>: $2 ($$1)"`)).channels[0].settings.rewrite?.[0];
    expect(ok).toMatchObject({ with: '$<club>: $2 ($$1)' });
    expect(compilePattern('(?P<club>Porto) (\\w+)').replaceAll('Porto wins', '$<club>: $2 ($$1)')).toBe('Porto: wins ($1)');
  });

  it("rejects a CSS selector css-select cannot read, with css-select's reason", () => {
    const p = problemsOf(yaml(`  rewrite:\n    - remove: "a:has(b"`));
    expect(p[0].path).toBe('defaults.rewrite[0].remove');
    expect(p[0].message).toBe('invalid CSS selector "a:has(b": Missing closing parenthesis in :has (a:has(b)');
    expect(problemsOf(yaml(`  rewrite:\n    - remove: "p::before"`))[0].message).toMatch(/Pseudo-elements are not supported/);
  });

  it('says what is missing or misspelt', () => {
    const msg = (rules: string) => problemsOf(yaml(`  rewrite:\n${rules}`))[0].message;
    expect(msg(`    - replace title: "x"`)).toMatch(/"replace title" needs `with:`/);
    expect(msg(`    - replace titel: "x"\n      with: ""`)).toMatch(/unknown rewrite "replace titel"; did you mean "replace title"\?/);
    expect(msg(`    - prefix title: "x"\n      with: ""`)).toMatch(/"with" goes with "replace title" or "replace content"/);
    expect(msg(`    - prefix title: "x"\n      suffix title: "y"`)).toMatch(/one rewrite per list entry/);
    expect(msg(`    - remove: 3`)).toMatch(/"remove" takes a string \(a CSS selector\)/);
    expect(msg(`    - "just a string"`)).toMatch(/a rewrite rule is a mapping/);
  });

  it('checks image and fallback_image', () => {
    expect(problemsOf(yaml('  image: logo.png'))[0].message).toMatch(/absolute http\(s\) URL/);
    expect(problemsOf(yaml('  fallback_image: "ftp://x/{n}.png"'))[0].message).toMatch(/absolute http\(s\) URL .* or `none`/);
    expect(problemsOf(yaml('  tracking_pixels: "no"'))[0].path).toBe('defaults.tracking_pixels');
  });
});
