import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// `npm run test:fast`: the unit tests, without those that start the CLI, a
// server (loopback feeds, PostgreSQL, Redis), a browser or a feed client.
// tests/fast-guard.ts fails any test of this run that starts a process or uses
// a server, so a new test of that kind cannot slip in here unnoticed: it must
// be listed below. `npm test` runs everything.
export const SLOW_TESTS = [
  'tests/cli/churn-status.test.ts',
  'tests/cli/disk-full.test.ts',
  'tests/cli/empty-config.test.ts',
  'tests/cli/fetch-command.test.ts',
  'tests/cli/once.test.ts',
  'tests/cli/operator-edges.test.ts',
  'tests/cli/postgres-state.test.ts',
  'tests/cli/serve-metrics.test.ts',
  'tests/cli/start-up.test.ts',
  'tests/cli/stop-during-start-up.test.ts',
  'tests/daemon/auto-reload.test.ts',
  'tests/daemon/reload-safety.test.ts',
  'tests/daemon/run.test.ts',
  'tests/deploy/deploy.test.ts',
  'tests/editors/discover-preview.test.ts',
  'tests/editors/sources-check.test.ts',
  'tests/editors/opml-scale.test.ts',
  'tests/editors/preview-full-text.test.ts',
  'tests/fetch/address-policy.test.ts',
  'tests/fetch/charset.test.ts',
  'tests/fetch/feedparser-reference.test.ts',
  'tests/fetch/fetch-feed.test.ts',
  'tests/fetch/http.test.ts',
  'tests/fetch/reader-fidelity.test.ts',
  'tests/fetch/well-formed.test.ts',
  'tests/helpers/servers.test.ts',
  'tests/hostile/crash.test.ts',
  'tests/hostile/daemon-flood.test.ts',
  'tests/hostile/deep-nesting-daemon.test.ts',
  'tests/hostile/full-text-pages.test.ts',
  'tests/hostile/html.test.ts',
  'tests/hostile/sources.test.ts',
  'tests/ingest/channel-meta.test.ts',
  'tests/ingest/churn.test.ts',
  'tests/ingest/full-text-retry.test.ts',
  'tests/ingest/full-text.test.ts',
  'tests/ingest/full-text-rewrites.test.ts',
  'tests/ingest/guid-collision.test.ts',
  'tests/ingest/ingest-guard.test.ts',
  'tests/ingest/ingest.test.ts',
  'tests/ingest/prepare-pool.test.ts',
  'tests/ingest/retention.test.ts',
  'tests/ingest/websub-subscriber.test.ts',
  'tests/integrity/cli.test.ts',
  'tests/integrity/identity.test.ts',
  'tests/integrity/lost-state.test.ts',
  'tests/integrity/reindex.test.ts',
  'tests/publish/channel-image.test.ts',
  'tests/publish/content-cache.test.ts',
  'tests/publish/enclosures.test.ts',
  'tests/publish/engines.test.ts',
  'tests/publish/fragments.test.ts',
  'tests/publish/index-browser.test.ts',
  'tests/publish/publish.test.ts',
  'tests/publish/render-feed.test.ts',
  'tests/publish/roundtrip.test.ts',
  'tests/publish/rules.test.ts',
  'tests/publish/websub-publisher.test.ts',
  'tests/publish/whole-feeds.test.ts',
  'tests/queue/late-rows.test.ts',
  'tests/queue/scale-out.test.ts',
  'tests/queue/schedules.test.ts',
  'tests/queue/servers-away.test.ts',
  'tests/queue/websub-queue.test.ts',
  'tests/serve/flood.test.ts',
  'tests/serve/health-reason.test.ts',
  'tests/serve/security.test.ts',
  'tests/serve/server.test.ts',
  'tests/store/postgres.test.ts',
];

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    exclude: SLOW_TESTS,
    // Nothing here runs the compiled dist/, so no build first.
    globalSetup: [],
    // Test files share each worker's module cache: importing the stages once per
    // worker rather than once per file halves the CPU (41 s to 23 s measured).
    // `npm test` keeps every file isolated.
    isolate: false,
    setupFiles: ['tests/fast-guard.ts'],
  },
});
