import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { thrownBy } from '../helpers/thrown.ts';

// `full_text:` at every level (issue 21): true (readability), a CSS selector,
// or false; the nearest level that sets it wins, like every other setting.

const config = (defaults: string, group: string, source: string, channels: string[]) => `
defaults: { ${defaults} }
groups:
  - name: G
    ${group}
    sources:
      - name: S
        ${source}
        channels:
${channels.map((c) => `          - ${c}`).join('\n')}
`;

describe('full_text in the config', () => {
  it('overrides per level: true, a selector, false', () => {
    const c = parseConfig(
      config('full_text: true', 'full_text: "article .body"', '', [
        '{ name: a, url: "https://e.example/a.xml" }',
        '{ name: b, url: "https://e.example/b.xml", full_text: false }',
        '{ name: c, url: "https://e.example/c.xml", full_text: true }',
      ]),
      '/tmp/x/refeed.yaml',
    );
    expect(c.defaults.fullText).toBe(true);
    expect(c.groups[0].settings.fullText).toBe('article .body');
    expect(c.channels.map((ch) => ch.settings.fullText)).toEqual(['article .body', undefined, true]);
  });

  it('is off unless set', () => {
    const c = parseConfig(config('', '', '', ['{ name: a, url: "https://e.example/a.xml" }']), '/tmp/x/refeed.yaml');
    expect(c.channels[0].settings.fullText).toBeUndefined();
  });

  it('rejects a selector css-select cannot read, in its words, where it is', () => {
    const e = thrownBy(
      ConfigError,
      () => parseConfig(config('', '', 'full_text: "div["', ['{ name: a, url: "https://e.example/a.xml", full_text: "p:nope" }']), '/tmp/x/refeed.yaml'),
      'the config to be rejected',
    );
    const messages = e.problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^groups\[0\]\.sources\[0\]\.full_text: .*css-select.*Expected name/),
        expect.stringMatching(/^groups\[0\]\.sources\[0\]\.channels\[0\]\.full_text: .*Unknown pseudo-class :nope/),
      ]),
    );
    expect(thrownBy(ConfigError, () => parseConfig(config('full_text: ""', '', '', ['{ name: a, url: "https://e.example/a.xml" }']), '/tmp/x/refeed.yaml'), 'rejected').message).toMatch(
      /full_text/,
    );
    expect(thrownBy(ConfigError, () => parseConfig(config('full_text: 3', '', '', ['{ name: a, url: "https://e.example/a.xml" }']), '/tmp/x/refeed.yaml'), 'rejected').message).toMatch(
      /full_text/,
    );
  });
});
