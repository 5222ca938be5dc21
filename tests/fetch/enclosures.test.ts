import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/fetch/index.ts';

// What the readers take from an item for a republisher: each enclosure's
// size in bytes and playing time in seconds, wherever the format puts them.

const rss = (item: string) => `<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>P</title><link>https://pod.example/</link><description>d</description><item><title>E</title>${item}</item></channel></rss>`;

const first = async (text: string) => (await parseFeed(text, 'https://pod.example/feed')).items[0];

describe('RSS enclosures', () => {
  it('take length from <enclosure> and the episode duration from itunes:duration', async () => {
    const item = await first(rss(`<enclosure url="https://pod.example/1.mp3" length="498537" type="audio/mpeg"/><itunes:duration>17:04</itunes:duration>`));
    expect(item.enclosures).toEqual([{ url: 'https://pod.example/1.mp3', type: 'audio/mpeg', length: 498537, duration: 1024 }]);
  });

  it('give itunes:duration to the audio, not to an image enclosed before it', async () => {
    const item = await first(
      rss(`<enclosure url="https://pod.example/cover.jpg" length="10" type="image/jpeg"/><enclosure url="https://pod.example/1.m4a" length="0" type="audio/x-m4a"/>
        <itunes:duration>3600</itunes:duration>`),
    );
    expect(item.enclosures).toEqual([
      { url: 'https://pod.example/cover.jpg', type: 'image/jpeg', length: 10 },
      { url: 'https://pod.example/1.m4a', type: 'audio/x-m4a', duration: 3600 },
    ]);
  });

  it('read media:content fileSize and duration, and fill in what <enclosure> of the same URL left out', async () => {
    const item = await first(
      rss(`<enclosure url="https://pod.example/v.mp4" type="video/mp4"/>
        <media:group><media:content url="https://pod.example/v.mp4" fileSize="5650889" duration="185" type="video/mp4"/></media:group>
        <media:content url="https://pod.example/a.ogg" fileSize="12.5" duration="-3" medium="audio"/>`),
    );
    expect(item.enclosures).toEqual([
      { url: 'https://pod.example/v.mp4', type: 'video/mp4', length: 5650889, duration: 185 },
      { url: 'https://pod.example/a.ogg' },
    ]);
  });

  it('read an atom:link rel="enclosure" length', async () => {
    const item = await first(rss(`<atom:link rel="enclosure" href="https://pod.example/2.mp3" type="audio/mpeg" length="42"/>`));
    expect(item.enclosures).toEqual([{ url: 'https://pod.example/2.mp3', type: 'audio/mpeg', length: 42 }]);
  });
});

describe('Atom and JSON Feed enclosures', () => {
  it('Atom: link rel="enclosure" length', async () => {
    const item = await first(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>P</title><id>urn:p</id><updated>2024-01-01T00:00:00Z</updated>
      <entry><title>E</title><id>urn:e</id><published>2024-01-01T00:00:00Z</published><updated>2024-01-03T00:00:00Z</updated>
      <link rel="enclosure" href="https://pod.example/3.mp3" type="audio/mpeg" length="9000"/></entry></feed>`);
    expect(item.enclosures).toEqual([{ url: 'https://pod.example/3.mp3', type: 'audio/mpeg', length: 9000 }]);
    expect(item).toMatchObject({ date: '2024-01-01T00:00:00Z', updated: '2024-01-03T00:00:00Z' });
  });

  it('JSON Feed: attachments size_in_bytes and duration_in_seconds, tags', async () => {
    const item = await first(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'P',
        items: [
          {
            id: '1',
            title: 'E',
            content_text: 'x',
            tags: ['Interviews', 3, 'Markdown'],
            attachments: [
              { url: 'https://pod.example/39.m4a', mime_type: 'audio/x-m4a', size_in_bytes: 89970236, duration_in_seconds: 6629 },
              { url: 'https://pod.example/40.m4a', mime_type: 'audio/x-m4a', size_in_bytes: 'big', duration_in_seconds: -1 },
            ],
          },
        ],
      }),
    );
    expect(item.enclosures).toEqual([
      { url: 'https://pod.example/39.m4a', type: 'audio/x-m4a', length: 89970236, duration: 6629 },
      { url: 'https://pod.example/40.m4a', type: 'audio/x-m4a' },
    ]);
    expect(item.categories).toEqual(['Interviews', 'Markdown']);
  });
});
