import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { publish } from '../../src/publish/index.ts';
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
});
