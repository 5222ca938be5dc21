import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { Element } from 'domhandler';
import { buildIndexHtml, publish, Publisher, SectionCache } from '../../src/publish/index.ts';
import type { ChannelHealth } from '../../src/publish/index-health.ts';
import { sitePlan } from '../../src/publish/site-plan.ts';
import { makeArticle, storeArticle } from '../helpers/articles.ts';
import { fixtureFactory, KEYS } from './fixture.ts';

// Issue 15: index.html says which channels work (and since when and why the
// others do not), where each latest item comes from, and when it last
// changed; a publish that changes nothing leaves it alone.

const T0 = Date.UTC(2024, 2, 12, 8, 0);
const at = (ms: number) => ({ logger: silentLogger, now: () => ms });
const fresh = fixtureFactory();
const page = (output: string) => readFileSync(path.join(output, 'index.html'), 'utf8');
const sectionOf = (html: string, key: string) => html.slice(html.indexOf(`id="feed-${key ? key.replaceAll('/', '--') : 'all'}"`)).split('</section>')[0];

describe('index.html', () => {
  it('shows each channel\'s health, each latest item\'s source, and when the page last changed', async () => {
    const f = await fresh();
    await f.state.recordSuccess(KEYS.front, { now: T0 - 7_200_000, status: 'new' });
    await f.state.recordSuccess(KEYS.lwn, { now: Date.UTC(2024, 2, 10, 6, 30), status: 'new' });
    await f.state.recordFailure(KEYS.lwn, { now: T0 - 60_000, error: 'http-status: 503 from https://lwn.example/rss?api_key=SECRET123\nsecond line' });
    await publish(f.config, f.state, at(T0));
    const html = page(f.output);

    const lwn = sectionOf(html, KEYS.lwn);
    expect(lwn).toContain('<span class="badge failing">failing</span>');
    expect(lwn).toContain('<p class="health failing">failing: no successful fetch since <time datetime="2024-03-10T06:30:00.000Z">2024-03-10 06:30 UTC</time>: <code>http-status: 503 from https://lwn.example/rss?api_key=…</code></p>');
    expect(html).not.toContain('SECRET123');
    expect(html).not.toContain('second line');
    expect(sectionOf(html, KEYS.front)).toContain('<span class="badge ok">ok</span>');
    expect(html).toContain('<p class="summary">4 channels: 3 ok, 1 failing (<a href="#feed-tech--lwn--headlines">LWN.net / Headlines</a>)</p>');
    expect(html).toContain('<p class="updated">Updated <time datetime="2024-03-12T08:00:00.000Z">2024-03-12 08:00 UTC</time></p>');
    // The merged list names each item's source and channel.
    const latest = sectionOf(html, '').split('<section')[0];
    expect(latest.match(/<li>/g)).toHaveLength(10);
    expect(latest.match(/<span class="src">— [^<]+ \/ [^<]+<\/span>/g)).toHaveLength(10);
    expect(latest).toContain('<span class="src">— 人人都是产品经理 / 最新文章</span>');
  });

  it('is rewritten when a channel\'s health changes, not by a publish that changes nothing', async () => {
    const f = await fresh();
    await f.state.recordFailure(KEYS.lwn, { now: T0 - 60_000, error: 'timeout: no answer in 20 s' });
    await publish(f.config, f.state, at(T0));
    const first = page(f.output);

    // Another failed attempt: the page shows nothing new, so nothing is written.
    await f.state.recordFailure(KEYS.lwn, { now: T0 + 60_000, error: 'timeout: no answer in 20 s' });
    const noop = await publish(f.config, f.state, at(T0 + 120_000));
    expect(noop.written).toEqual([]);
    expect(page(f.output)).toBe(first);

    // A full rebuild with nothing changed gives the same bytes, time included.
    const full = await publish(f.config, f.state, { ...at(T0 + 180_000), full: true });
    expect(full.written).toEqual([]);

    // The channel recovers: the page says so, with the time of that publish.
    await f.state.recordSuccess(KEYS.lwn, { now: T0 + 240_000, status: 'not-modified' });
    const recovered = await publish(f.config, f.state, at(T0 + 300_000));
    expect(recovered.written).toEqual(['index.html']);
    const html = page(f.output);
    expect(sectionOf(html, KEYS.lwn)).toContain('<span class="badge ok">ok</span>');
    expect(html).toContain('<time datetime="2024-03-12T08:05:00.000Z">2024-03-12 08:05 UTC</time>');
  });

  it("a daemon's publisher keeps channel sections: a tick rebuilds only the changed ones, with the bytes a one-shot publish gives", async () => {
    const f = await fresh();
    await publish(f.config, f.state, at(T0));
    const before = page(f.output);

    // Its first publish has nothing to do: it fills its sections and writes nothing.
    const daemon = new Publisher(f.config, { longLived: true });
    expect((await daemon.publish(f.state, at(T0 + 60_000))).written).toEqual([]);
    expect(page(f.output)).toBe(before);

    // A tick: a new item in one channel, a failure in another.
    const front = f.config.channels.find((c) => c.key === KEYS.front)!;
    await storeArticle(f.config, f.state, makeArticle(front, { title: 'Fresh from the daemon', date: new Date(T0), link: 'https://front-page.example/fresh' }));
    await f.state.recordFailure(KEYS.lwn, { now: T0 + 90_000, error: 'timeout: no answer in 20 s' });
    expect((await daemon.publish(f.state, at(T0 + 120_000))).written).toContain('index.html');
    const viaDaemon = page(f.output);
    expect(sectionOf(viaDaemon, KEYS.front)).toContain('Fresh from the daemon');
    expect(sectionOf(viaDaemon, KEYS.lwn)).toContain('<span class="badge failing">failing</span>');

    // A fresh one-shot publisher rebuilding everything from the same state writes the same bytes.
    expect((await publish(f.config, f.state, { ...at(T0 + 180_000), full: true })).written).toEqual([]);
    expect(page(f.output)).toBe(viaDaemon);
  });

  it('builds a channel section again only when something it shows changed', async () => {
    class Counting extends SectionCache {
      built: string[] = [];
      override get(key: string, inputs: string, build: () => Element): string {
        return super.get(key, inputs, () => {
          this.built.push(key);
          return build();
        });
      }
    }
    const f = await fresh();
    const { specs } = sitePlan(f.config);
    const entries = new Map([[KEYS.front, [{ title: 'One', link: 'https://a.example/1', date: T0, channel: KEYS.front }]]]);
    const latest = (key: string) => entries.get(key) ?? [];
    const health = new Map<string, ChannelHealth>([[KEYS.lwn, { state: 'ok' }]]);
    const cache = new Counting();
    const build = (h: typeof health) => buildIndexHtml(f.config, specs, latest, { health: h, updatedAt: T0, sections: cache });
    const first = build(health);
    expect(cache.built.sort()).toEqual(f.config.channels.map((c) => c.key).sort());
    expect(first).toBe(buildIndexHtml(f.config, specs, latest, { health, updatedAt: T0 }));

    cache.built = [];
    expect(build(health)).toBe(first);
    expect(cache.built).toEqual([]);

    entries.set(KEYS.front, [{ title: 'Two', link: 'https://a.example/2', date: T0 + 1, channel: KEYS.front }]);
    const failing = new Map<string, ChannelHealth>([[KEYS.lwn, { state: 'failing', since: T0, reason: 'timeout' }]]);
    const second = build(failing);
    expect(cache.built.sort()).toEqual([KEYS.front, KEYS.lwn].sort());
    expect(second).toBe(buildIndexHtml(f.config, specs, latest, { health: failing, updatedAt: T0 }));
    expect(sectionOf(second, KEYS.front)).toContain('Two');
  });
});

describe('Publisher and the channel sync', () => {
  it('never matches the store to its configuration or writes article files itself: the commands do, before they publish', async () => {
    const f = await fresh();
    let calls = 0;
    const sync = f.state.syncChannels.bind(f.state);
    f.state.syncChannels = async (...args) => (calls++, sync(...args));
    const pending = f.state.pendingFiles.bind(f.state);
    f.state.pendingFiles = async (...args) => (calls++, pending(...args));

    const own = new Publisher(f.config, { longLived: true });
    await own.publish(f.state, at(T0));
    await own.publish(f.state, { ...at(T0 + 60_000), full: true });
    expect(calls).toBe(0);
  });
});
