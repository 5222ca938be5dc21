import type { ChannelState, RefeedConfig } from '../core/types.ts';
import { readHubStatus, type HubStatus } from '../core/websub-status.ts';
import type { ChannelReport } from '../ingest/index.ts';
import type { PublishReport } from '../publish/index.ts';

// GET /metrics in Prometheus' text format, for `refeed run` and `refeed
// serve`. prom-client is imported here only, and this module only by those
// two commands: the others never load it.
//
// Per channel, from the state at each scrape (so `serve`, which fetches
// nothing, reports what the state says): last success time, consecutive
// failures, items stored. Per channel, counted by the process that fetches
// (`run`): fetches by outcome, items ingested. Per publish (`run`): its
// duration and the files it wrote. And the process's default metrics.

export interface Metrics {
  /** A channel's fetch finished (run only). */
  fetched(report: ChannelReport): void;
  /** A publish finished, in `seconds` (run only). */
  published(report: PublishReport, seconds: number): void;
  /** A WebSub hub was pinged (run only). */
  pinged(hub: string, outcome: 'ok' | 'error'): void;
  /** A WebSub push came to a callback (run only): taken (`ok`) or refused, and why. */
  pushed(outcome: string): void;
  /** The page: what GET /metrics answers. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsSource {
  config: () => RefeedConfig;
  states: () => Promise<readonly ChannelState[]>;
}

export async function createMetrics(source: MetricsSource): Promise<Metrics> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const registers = [registry];

  // Read once per scrape by the first gauge that needs it, shared by the others.
  let pending: Promise<{ config: RefeedConfig; byKey: Map<string, ChannelState> }> | undefined;
  const snapshot = () =>
    (pending ??= (async () => {
      const states = await source.states();
      setImmediate(() => (pending = undefined));
      return { config: source.config(), byKey: new Map(states.map((s) => [s.key, s])) };
    })());
  const perChannel = (name: string, help: string, value: (st: ChannelState | undefined, c: RefeedConfig['channels'][number]) => number | undefined) =>
    new prom.Gauge({
      name,
      help,
      labelNames: ['channel'],
      registers,
      async collect() {
        this.reset();
        const { config, byKey } = await snapshot();
        for (const c of config.channels) {
          const v = value(byKey.get(c.key), c);
          if (v !== undefined) this.set({ channel: c.key }, v);
        }
      },
    });
  // Every configured channel has a sample, 0 when it never succeeded: `time() - …` then fires for a
  // channel that never worked, instead of the series being absent and the alert silent.
  perChannel('refeed_channel_last_success_timestamp_seconds', 'When the channel was last fetched successfully (Unix time); 0 if it never was.', (st) => (st?.lastSuccessAt === undefined ? 0 : st.lastSuccessAt / 1000));
  perChannel('refeed_channel_up', 'Whether the channel is up: 1 when its last fetch succeeded, 0 when it failed, it is gone (410), off, or was never fetched.', (st, c) =>
    c.settings.enabled && st && !st.disabled && st.lastStatus !== undefined && st.lastStatus !== 'error' && st.lastSuccessAt !== undefined ? 1 : 0,
  );
  perChannel('refeed_channel_enabled', 'Whether the channel is enabled in the configuration (1) or off (enabled: false, 0).', (_st, c) => (c.settings.enabled ? 1 : 0));
  perChannel('refeed_channel_consecutive_failures', 'Failed fetches of the channel since its last success.', (st) => st?.consecutiveFailures ?? 0);
  perChannel('refeed_channel_items', 'Items the state holds for the channel.', (st) => st?.itemCount ?? 0);

  // WebSub hubs: their health as the pings (of any process) recorded it; every configured hub has a sample.
  const perHub = (name: string, help: string, value: (s: HubStatus | undefined) => number) =>
    new prom.Gauge({
      name,
      help,
      labelNames: ['hub'],
      registers,
      collect() {
        this.reset();
        const config = source.config();
        const known = readHubStatus(config.site.output);
        for (const hub of config.site.websubHubs) this.set({ hub }, value(known.get(hub)));
      },
    });
  perHub('refeed_websub_hub_consecutive_failures', 'Publish pings to the WebSub hub that failed (after their retries) since the last one it took.', (h) => h?.consecutiveFailures ?? 0);
  perHub('refeed_websub_hub_last_success_timestamp_seconds', 'When the WebSub hub last took a publish ping (Unix time); 0 if it never did.', (h) => (h?.lastSuccessAt ?? 0) / 1000);
  const pushes = new prom.Counter({ name: 'refeed_websub_pushes_total', help: 'WebSub pushes to this process\'s callbacks, by outcome (ok, bad-signature, unknown, removed, too-large).', labelNames: ['outcome'], registers });
  const pings = new prom.Counter({ name: 'refeed_websub_pings_total', help: 'Publish ping requests this process sent to each WebSub hub, by outcome (ok, error), retries included.', labelNames: ['hub', 'outcome'], registers });

  const fetches = new prom.Counter({ name: 'refeed_channel_fetches_total', help: 'Fetches of the channel by this process, by outcome (new, updated, unchanged, not-modified, error, disabled).', labelNames: ['channel', 'outcome'], registers });
  const ingested = new prom.Counter({ name: 'refeed_channel_items_ingested_total', help: 'New items this process stored for the channel.', labelNames: ['channel'], registers });
  const duration = new prom.Histogram({ name: 'refeed_publish_duration_seconds', help: 'How long each publish took.', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers });
  const written = new prom.Counter({ name: 'refeed_publish_files_written_total', help: 'Files publishes replaced (bytes changed).', registers });
  const lastWritten = new prom.Gauge({ name: 'refeed_publish_last_files_written', help: 'Files the last publish replaced.', registers });
  const lastPublish = new prom.Gauge({ name: 'refeed_publish_last_timestamp_seconds', help: 'When the last publish finished (Unix time).', registers });

  return {
    fetched(r) {
      fetches.inc({ channel: r.key, outcome: r.status });
      if (r.newItems) ingested.inc({ channel: r.key }, r.newItems);
    },
    published(r, seconds) {
      duration.observe(seconds);
      written.inc(r.written.length);
      lastWritten.set(r.written.length);
      lastPublish.set(Date.now() / 1000);
    },
    pinged(hub, outcome) {
      pings.inc({ hub, outcome });
    },
    pushed(outcome) {
      pushes.inc({ outcome });
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
