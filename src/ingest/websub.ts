import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../core/log.ts';
import type { ChannelState, RefeedConfig, ResolvedChannel } from '../core/types.ts';
import type { Store } from '../store/index.ts';
import { redactUrl } from '../util/redact.ts';
import type { ChannelReport } from './report.ts';

// WebSub subscriber (W3C WebSub §5–7). When a fetched feed names a hub and
// site.websub.subscribe is on, refeed subscribes at the hub with a callback
// on its own server, /websub/<channel id>, and a secret of its own per
// subscription; it answers the hub's verification of intent, renews before
// the lease ends, and takes pushes whose X-Hub-Signature (an HMAC of the body
// with that secret) checks out, handing them to the ingest path at once.
// Polling goes on at the channel's schedule: a push is a shortcut, a lapsed
// or refused subscription only means waiting for the next poll. Subscriptions
// live in the daemon's memory: a restart subscribes again (new secret) at each
// channel's first fetch. With a queue (site.queue) workers fetch: `run` learns
// of hubs from the store (observeStored), and a push queues the channel's
// fetch job at once (QueueEngine.fetchNow) instead of reading the body here.

export type PushOutcome = 'ok' | 'bad-signature' | 'unknown' | 'removed' | 'too-large';

export interface SubscriberOptions {
  config: () => RefeedConfig;
  store: Store;
  logger: Logger;
  /** A verified push: ingest it now; false when the channel cannot take it (no longer scheduled). */
  onPush: (channel: ResolvedChannel, pushed: { body: Uint8Array; contentType?: string }) => boolean;
  /** Each push's outcome (for metrics). */
  onPushOutcome?: (outcome: PushOutcome) => void;
  /** The lease asked for, in seconds (the hub decides); default 7 days. */
  leaseSeconds?: number;
  /** Bound on a subscription request. */
  timeoutMs?: number;
}

interface Subscription {
  key: string;
  id: string;
  hub: string;
  topic: string;
  secret: string;
  state: 'requested' | 'active' | 'failed' | 'denied' | 'lapsed';
  leaseEnd?: number;
  failures: number;
  /** Not before: after a failure or a denial. */
  retryAt: number;
  timers: NodeJS.Timeout[];
}

const SIGNATURE_ALGORITHMS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/** Whether `header` (`sha256=hex`) is the HMAC of `body` with `secret`. */
export function signatureMatches(header: string | string[] | undefined, body: Buffer, secret: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^\s*(sha1|sha256|sha384|sha512)=([0-9a-f]+)\s*$/i.exec(value ?? '');
  if (!m || !SIGNATURE_ALGORITHMS.has(m[1].toLowerCase())) return false;
  const expected = createHmac(m[1].toLowerCase(), secret).update(body).digest();
  const given = Buffer.from(m[2].toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class WebSubSubscriber {
  private readonly byId = new Map<string, Subscription>();
  private readonly byKey = new Map<string, Subscription>();
  private readonly log: Logger;
  private stopped = false;

  constructor(private readonly opts: SubscriberOptions) {
    this.log = opts.logger.child({ module: 'websub' });
  }

  /** After a channel's fetch: subscribes when its feed names a hub and it has no live subscription there. */
  observe(report: Pick<ChannelReport, 'key' | 'websub'> & Partial<ChannelReport>): void {
    const config = this.opts.config();
    if (!config.site.websubSubscribe || !report.websub || this.stopped) return;
    const channel = config.channels.find((c) => c.key === report.key && c.settings.enabled);
    if (!channel) return;
    const { hubs, topic } = report.websub;
    const sub = this.byKey.get(channel.key);
    const now = Date.now();
    if (sub && hubs.includes(sub.hub) && sub.topic === topic) {
      if (sub.state === 'requested' || sub.state === 'active') return;
      if (now < sub.retryAt) return;
    }
    void this.subscribe(channel, sub && hubs.includes(sub.hub) ? sub.hub : hubs[0], topic, sub).catch((err: unknown) =>
      this.log.error({ err, channel: channel.key }, 'WebSub subscription failed'),
    );
  }

  /**
   * The hubs the store knows of, as the last full fetch of each channel
   * recorded them (with a queue, workers elsewhere fetch): subscribes as
   * observe() does, so only channels without a live subscription ask.
   */
  observeStored(states: readonly ChannelState[]): void {
    for (const st of states) {
      const hubs = st.meta?.hubs;
      if (hubs?.length) this.observe({ key: st.key, websub: { hubs, topic: st.meta?.self ?? st.url } });
    }
  }

  private async subscribe(channel: ResolvedChannel, hub: string, topic: string, previous: Subscription | undefined): Promise<void> {
    const state = await this.opts.store.channelState(channel.key);
    if (!state || this.stopped) return;
    const id = String(state.id);
    // A renewal keeps its secret, so pushes signed while it is verified still check out.
    const renewing = previous && previous.hub === hub && previous.topic === topic && previous.state === 'active';
    const sub: Subscription = renewing
      ? previous
      : { key: channel.key, id, hub, topic, secret: randomBytes(32).toString('hex'), state: 'requested', failures: previous?.failures ?? 0, retryAt: 0, timers: [] };
    if (!renewing) {
      if (previous) this.forget(previous);
      this.byId.set(id, sub);
      this.byKey.set(channel.key, sub);
      sub.state = 'requested';
    }
    const callback = new URL(`websub/${encodeURIComponent(id)}`, this.opts.config().site.url).href;
    const body = new URLSearchParams({
      'hub.callback': callback,
      'hub.mode': 'subscribe',
      'hub.topic': topic,
      'hub.lease_seconds': String(this.opts.leaseSeconds ?? 7 * 86_400),
      'hub.secret': sub.secret,
    });
    let why: string | undefined;
    try {
      const res = await fetch(hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'refeed (WebSub subscriber)' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) why = `HTTP ${res.status}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      why = e.name === 'TimeoutError' ? 'no answer' : (e.cause?.code ?? e.message);
    }
    if (why === undefined) {
      this.log.info({ channel: channel.key, hub: redactUrl(hub), topic: redactUrl(topic), renewal: renewing === true }, 'WebSub subscription requested; waiting for the hub to verify it');
      return;
    }
    sub.failures++;
    sub.retryAt = Date.now() + Math.min(86_400_000, 60_000 * 2 ** (sub.failures - 1));
    if (!renewing) sub.state = 'failed';
    this.log.warn({ channel: channel.key, hub: redactUrl(hub), reason: why, failures: sub.failures }, 'WebSub hub refused the subscription: polling only, tried again later');
  }

  /** GET /websub/<id>: the hub verifying intent (§5.3). The challenge to echo, or undefined (404). */
  verify(id: string, query: URLSearchParams): string | undefined {
    const sub = this.byId.get(id);
    const mode = query.get('hub.mode');
    if (!sub || query.get('hub.topic') !== sub.topic) return undefined;
    if (mode === 'denied') {
      sub.state = 'denied';
      sub.retryAt = Date.now() + 3_600_000;
      this.log.warn({ channel: sub.key, hub: redactUrl(sub.hub), reason: query.get('hub.reason') ?? undefined }, 'WebSub hub denied the subscription: polling only');
      return '';
    }
    const challenge = query.get('hub.challenge');
    if (mode !== 'subscribe' || challenge === null || !(sub.state === 'requested' || sub.state === 'active')) return undefined;
    const leaseSeconds = Number(query.get('hub.lease_seconds'));
    const lease = Number.isFinite(leaseSeconds) && leaseSeconds > 0 ? leaseSeconds * 1000 : (this.opts.leaseSeconds ?? 7 * 86_400) * 1000;
    sub.state = 'active';
    sub.failures = 0;
    sub.leaseEnd = Date.now() + lease;
    for (const t of sub.timers) clearTimeout(t);
    // Renewed at four fifths of the lease (W3C WebSub §5.1: before it ends); lapsed at its end unless renewed by then.
    const renew = setTimeout(() => this.renew(sub), Math.max(500, lease * 0.8));
    const lapse = setTimeout(() => this.lapse(sub, sub.leaseEnd!), lease + 1000);
    for (const t of [renew, lapse]) t.unref();
    sub.timers = [renew, lapse];
    this.log.info({ channel: sub.key, hub: redactUrl(sub.hub), leaseSeconds: lease / 1000 }, 'WebSub subscription verified: pushes are ingested as they come');
    return challenge;
  }

  private renew(sub: Subscription): void {
    const channel = this.opts.config().channels.find((c) => c.key === sub.key && c.settings.enabled);
    if (this.stopped || !channel || this.byId.get(sub.id) !== sub) return;
    void this.subscribe(channel, sub.hub, sub.topic, sub).catch((err: unknown) => this.log.error({ err, channel: sub.key }, 'WebSub renewal failed'));
  }

  private lapse(sub: Subscription, leaseEnd: number): void {
    if (sub.leaseEnd !== leaseEnd || sub.state !== 'active') return;
    sub.state = 'lapsed';
    this.log.warn({ channel: sub.key, hub: redactUrl(sub.hub) }, 'WebSub subscription lapsed without renewal: polling only until the next fetch subscribes again');
  }

  /** The most bytes a push to `id` may carry: its channel's max_bytes; undefined when no configured channel is behind it. */
  maxBytes(id: string): number | undefined {
    const sub = this.byId.get(id);
    return sub ? this.channelOf(sub)?.settings.maxBytes : undefined;
  }

  /** POST /websub/<id> (§7): a push, verified by its signature, then ingested. */
  async push(id: string, body: Buffer, headers: IncomingHttpHeaders): Promise<number> {
    const sub = this.byId.get(id);
    const channel = sub && this.channelOf(sub);
    if (!sub || !channel) {
      this.refused(id, sub ? 'removed' : 'unknown');
      return 410;
    }
    if (!signatureMatches(headers['x-hub-signature'], body, sub.secret)) {
      this.opts.onPushOutcome?.('bad-signature');
      this.log.warn({ channel: sub.key, hub: redactUrl(sub.hub) }, 'WebSub push with a missing or wrong X-Hub-Signature ignored');
      // §7.4: acknowledged (so the hub does not retry it), and ignored.
      return 202;
    }
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
    if (!this.opts.onPush(channel, { body, contentType })) {
      this.refused(id, 'removed');
      return 410;
    }
    this.opts.onPushOutcome?.('ok');
    this.log.debug({ channel: sub.key, bytes: body.length }, 'WebSub push taken');
    return 202;
  }

  /** A push refused before or instead of being read. */
  refused(id: string, reason: 'unknown' | 'removed' | 'too-large'): void {
    // A callback we subscribed whose channel is gone from the configuration: removed, not unknown.
    const why = reason === 'unknown' && this.byId.has(id) ? 'removed' : reason;
    this.opts.onPushOutcome?.(why);
    this.log.warn({ id, reason: why }, 'WebSub push refused');
  }

  /** The subscriptions by state (for metrics). */
  counts(): Record<Subscription['state'], number> {
    const out = { requested: 0, active: 0, failed: 0, denied: 0, lapsed: 0 };
    for (const s of this.byId.values()) out[s.state]++;
    return out;
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.byId.values()) for (const t of s.timers) clearTimeout(t);
  }

  private channelOf(sub: Subscription): ResolvedChannel | undefined {
    return this.opts.config().channels.find((c) => c.key === sub.key && c.settings.enabled);
  }

  private forget(sub: Subscription): void {
    for (const t of sub.timers) clearTimeout(t);
    this.byId.delete(sub.id);
    this.byKey.delete(sub.key);
  }
}
