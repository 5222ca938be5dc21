import { parseConfig, sameUrl } from '../../config/index.ts';
import { fetchFeed } from '../../fetch/index.ts';

// `sources add` looks before it writes: the URL must answer with a feed,
// fetched as the channel will be (its resolved settings: headers, timeout,
// size cap, and the private-address policy unless allow_private is set).

export type FeedCheck = { ok: true; note: string } | { ok: false; why: string };

/** Checks the channel with `url` as configured in `text` (the edited file). */
export async function checkFeedUrl(text: string, file: string, url: string, signal: AbortSignal): Promise<FeedCheck> {
  const channel = parseConfig(text, file, {}).channels.find((c) => sameUrl(c.url, url));
  if (!channel) return { ok: false, why: `${url} is not in the edited configuration` };
  const outcome = await fetchFeed({ url, settings: channel.settings, signal });
  if (outcome.kind === 'ok') {
    const { feed } = outcome;
    const n = feed.items.length;
    return { ok: true, note: `${url} is ${feed.format === 'json' ? 'a' : 'an'} ${feed.format.toUpperCase()} feed${feed.title ? ` ("${feed.title}")` : ''} with ${n} item${n === 1 ? '' : 's'}` };
  }
  if (outcome.kind === 'not-modified') return { ok: true, note: `${url} answered 304 Not Modified` };
  const { error } = outcome;
  if (error.code === 'blocked') {
    return {
      ok: false,
      why: `${error.message.replace(/ \(set allow_private: true on the channel to allow it\)$/, '')}; to add a feed on a loopback or private address, add --allow-private (it writes allow_private: true on the channel)`,
    };
  }
  if (error.code === 'not-a-feed' && error.alternates?.length) {
    return {
      ok: false,
      why: `${url} is an HTML page, not a feed; it links to ${error.alternates.join(', ')}: add one of those, or list them with: refeed discover ${url}`,
    };
  }
  if (error.code === 'not-a-feed') return { ok: false, why: `${url}: ${error.message}; refeed discover ${url} also tries the common feed paths of its site` };
  return { ok: false, why: `${url} did not answer with a feed: ${error.message}` };
}
