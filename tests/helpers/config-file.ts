import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Configuration files for tests: a fresh temp folder each (relative output
// and state paths land beside the file), and the one-group, one-source
// config most CLI and ingest tests fetch from loopback with.

/** `text` written as refeed.yaml in a fresh temp folder named `prefix…`; the file's path. */
export function writeTempConfig(text: string, prefix = 'refeed-test-'): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), prefix)), 'refeed.yaml');
  writeFileSync(file, text);
  return file;
}

/** Where a oneSourceYaml config keeps its state, and further entries of its site mapping. */
export interface SiteEntries {
  /** The state: a SQLite path or a PostgreSQL URL; `state.db` beside the file when left out. */
  state?: string;
  /** Further entries of the site mapping (`url: "https://feeds.example/", icon: …`). */
  more?: string;
}

/**
 * A config with group G, source S and these channels (YAML flow mappings,
 * e.g. `{ name: ok, url: "http://127.0.0.1:…/ok.xml" }`, or block mappings
 * whose later lines are indented to 12 spaces), output `out` and SQLite state
 * `state.db` beside the file (or `site.state`), loopback upstreams allowed;
 * `defaults` are further entries of the defaults mapping (`schedule: "…"`).
 */
export function oneSourceYaml(channels: readonly string[], defaults = '', site: SiteEntries = {}): string {
  const state = site.state === undefined ? 'state.db' : JSON.stringify(site.state);
  return `site: { output: out, state: ${state}${site.more ? `, ${site.more}` : ''} }
defaults: { ${defaults ? `${defaults}, ` : ''}allow_private: true }
groups:
  - name: G
    sources:
      - name: S
        channels:
${channels.map((c) => `          - ${c}\n`).join('')}`;
}
