import { stringify } from 'yaml';
import { channelSpec } from './corpus.ts';

/**
 * The refeed config for a corpus, as YAML text (serialized by the yaml
 * package). Site settings not named here keep refeed's defaults — notably
 * concurrency 8 and per-host 2 — because the point is to measure refeed as
 * shipped.
 */
export function benchConfigYaml(opts: { channels: number; urlOf: (channel: number) => string; output: string; state: string }): string {
  type Channel = { name: string; slug: string; url: string };
  type Source = { name: string; slug: string; channels: Channel[] };
  type Group = { name: string; slug: string; sources: Source[] };
  const groups = new Map<string, Group>();
  const sources = new Map<string, Source>();
  for (let i = 0; i < opts.channels; i++) {
    const spec = channelSpec(i);
    let group = groups.get(spec.group.slug);
    if (!group) groups.set(spec.group.slug, (group = { ...spec.group, sources: [] }));
    const sourceKey = `${spec.group.slug}/${spec.source.slug}`;
    let source = sources.get(sourceKey);
    if (!source) {
      sources.set(sourceKey, (source = { ...spec.source, channels: [] }));
      group.sources.push(source);
    }
    source.channels.push({ ...spec.channel, url: opts.urlOf(i) });
  }
  return stringify({
    site: {
      title: 'refeed bench',
      description: 'Synthetic corpus for npm run bench',
      url: 'http://127.0.0.1:8080/',
      output: opts.output,
      state: opts.state,
    },
    // The corpus is served from loopback, which the default fetch policy refuses.
    defaults: { timeout: '60s', allow_private: true },
    groups: [...groups.values()],
  });
}

/** Key of channel i in refeed (`group/source/channel` slugs). */
export function channelKeyOf(channel: number): string {
  const s = channelSpec(channel);
  return `${s.group.slug}/${s.source.slug}/${s.channel.slug}`;
}
