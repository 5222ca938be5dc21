import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { healthReport } from '../../src/cli/daemon-parts.ts';
import { channelStatusRows } from '../../src/cli/channel-status.ts';
import { sourceRow } from '../../src/cli/actions/sources.ts';
import type { ChannelState } from '../../src/core/types.ts';

// Issue 15: one date format wherever a date is printed as data — /healthz,
// status --json, sources --json — ISO 8601 in UTC.

const config = parseConfig(
  'site: { url: "https://feeds.example/sub/" }\ngroups:\n  - name: 新媒体\n    slug: xmt\n    sources:\n      - name: S\n        channels:\n          - { name: C, url: "https://a.example/feed", schedule: "0 * * * *" }\n',
  '/tmp/x/refeed.yaml',
  {},
);
const at = Date.UTC(2024, 4, 1, 10, 0, 3);
const state: ChannelState = { key: 'xmt/s/c', id: 1, createdAt: at - 86_400_000, url: 'https://a.example/feed', lastFetchAt: at, lastSuccessAt: at, lastStatus: 'new', consecutiveFailures: 0, disabled: false, itemCount: 3 };
const ISO = '2024-05-01T10:00:03.000Z';

describe('dates as data', () => {
  it('are ISO 8601 UTC in /healthz, status and sources alike', () => {
    const states = new Map([[state.key, state]]);
    expect(healthReport(config, states).channels[0].lastSuccessAt).toBe(ISO);
    const [row] = channelStatusRows(config, states, at);
    expect(row).toMatchObject({ lastSuccessAt: ISO, lastFetchAt: ISO, nextRunAt: '2024-05-01T11:00:00.000Z' });
    expect(row).toMatchObject({ name: '新媒体 / S / C', feedPath: '/sub/xmt/s/c/', feedUrl: 'https://feeds.example/sub/xmt/s/c/rss.xml' });
    expect(sourceRow(config.channels[0], state, config.site.url).health).toMatchObject({ lastSuccessAt: ISO, lastFetchAt: ISO });
  });
});
