import { stringify } from 'yaml';
import { CASES, GOOD_KEY, type HostileUpstream } from './upstream.ts';
import { writeTempConfig } from '../helpers/config-file.ts';

export { GOOD_KEY };

/**
 * The hostile suite's configuration: one good channel, then one channel per
 * hostile case, grouped by kind (`hostile/<kind>/<case>`). Small `max_bytes`
 * keeps oversize cases cheap; the two hanging servers get a 1 s timeout, the
 * rest a generous one (parsing 10,000 items blocks the event loop for a
 * while on a loaded machine, and no other channel should time out then).
 */
export function hostileConfigYaml(up: HostileUpstream): string {
  const kinds = [...new Set(CASES.map((c) => c.source))];
  return stringify({
    site: { title: 'hostile', url: 'http://127.0.0.1/', output: 'out', state: 'state.db', limit: 100, concurrency: 48, per_host_concurrency: 48 },
    defaults: { timeout: '20s', max_bytes: '64KB', max_redirects: 3, limit: 50, allow_private: true },
    groups: [
      { name: 'good', sources: [{ name: 'good', channels: [{ name: 'main', url: `${up.url}/good.xml` }] }] },
      {
        name: 'hostile',
        sources: kinds.map((kind) => ({
          name: kind,
          channels: CASES.filter((c) => c.source === kind).map((c) => ({ name: c.name, url: up.urlOf(c), ...c.settings })),
        })),
      },
    ],
  });
}

/** A fresh folder holding the hostile config; returns the config file's path. */
export function writeHostileConfig(up: HostileUpstream, prefix: string): string {
  return writeTempConfig(hostileConfigYaml(up), prefix);
}
