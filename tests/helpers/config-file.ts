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

/**
 * A config with group G, source S and these channels (YAML flow mappings,
 * e.g. `{ name: ok, url: "http://127.0.0.1:…/ok.xml" }`), output `out` and
 * SQLite state `state.db` beside the file, loopback upstreams allowed;
 * `defaults` are further entries of the defaults mapping (`schedule: "…"`).
 */
export function oneSourceYaml(channels: readonly string[], defaults = ''): string {
  return `site: { output: out, state: state.db }
defaults: { ${defaults ? `${defaults}, ` : ''}allow_private: true }
groups:
  - name: G
    sources:
      - name: S
        channels:
${channels.map((c) => `          - ${c}\n`).join('')}`;
}
