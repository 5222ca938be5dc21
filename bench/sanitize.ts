// Sanitizer micro-bench: refeed's streaming sanitizer (src/normalize/sanitize.ts)
// against the sanitize-html one it replaced (bench/sanitize-html-reference.ts),
// in one process, rounds alternated, on three sets of item bodies:
//   corpus       the benchmark corpus's ~4 KB items (bench/corpus.ts)
//   payloads     each hostile XSS payload between harmless markup (tests/hostile/payloads.ts)
//   hostile-4k   ~4 KB bodies of corpus paragraphs with payloads spliced in
// Prints CPU µs per item and MB/s of input for each (the median round), and
// how many outputs are identical. `parse-only` is htmlparser2's Parser with
// empty handlers on the same bodies: the floor a streaming sanitizer on it
// cannot go below. No network, no files.
//
//   npx tsx bench/sanitize.ts [--rounds 15] [--only streaming|sanitize-html|parse-only] [--set corpus|payloads|hostile-4k]
//
// The reference needs sanitize-html, which refeed no longer depends on:
//   npm install --no-save sanitize-html
// Profiling one of them:
//   node --cpu-prof --cpu-prof-dir=bench/out --import tsx bench/sanitize.ts --only streaming --rounds 60
import { parseArgs } from 'node:util';
import { Parser } from 'htmlparser2';
import type { Sanitizer } from '../src/normalize/index.ts';
import { createSanitizer } from './refeed.ts';
import { XSS_PAYLOADS, wrapped } from '../tests/hostile/payloads.ts';
import { channelSpec, DEFAULT_SEED, syntheticItem } from './corpus.ts';
import { createReferenceSanitizer, type SanitizeHtml } from './sanitize-html-reference.ts';

interface Body {
  html: string;
  base: URL;
}

const IFRAME_HOSTS = ['www.youtube.com', 'player.vimeo.com'];

function corpus(): Body[] {
  const out: Body[] = [];
  for (let c = 0; c < 20; c++) {
    for (let i = 0; i < 25; i++) out.push({ html: syntheticItem(DEFAULT_SEED, c, i).html, base: new URL(`posts/${c}/${i}.html`, channelSpec(c).site) });
  }
  return out;
}

function payloads(): Body[] {
  return XSS_PAYLOADS.map((_, i) => ({ html: wrapped(i), base: new URL(`https://upstream.example/p/${i}`) }));
}

/** Corpus bodies with a payload after every other paragraph, cut back to about their own size. */
function hostile4k(): Body[] {
  return corpus().map((b, n) => {
    const paragraphs = b.html.split('</p>');
    const mixed = paragraphs.map((p, k) => (k % 2 ? p + '</p>' + XSS_PAYLOADS[(n + k) % XSS_PAYLOADS.length].html : p + '</p>'));
    let html = '';
    for (const piece of mixed) {
      if (html.length > b.html.length) break;
      html += piece;
    }
    return { html, base: b.base };
  });
}

interface Contender {
  name: string;
  sanitizer: Sanitizer;
}

/** htmlparser2 reading a body and nothing else, through the same interface. */
const parseOnly: Sanitizer = {
  sanitize(html) {
    const noop = () => {};
    new Parser({ onopentag: noop, ontext: noop, onclosetag: noop }, { decodeEntities: true }).end(html);
    return { html: '', removed: [] };
  },
};

/**
 * CPU milliseconds (user + system, this process) for one pass over every body.
 * CPU time rather than wall time: the machine is shared, and a pass that
 * waits for a core has not cost more.
 */
function pass(s: Sanitizer, bodies: Body[]): number {
  const t0 = process.cpuUsage();
  for (const b of bodies) s.sanitize(b.html, b.base);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function loadSanitizeHtml(): Promise<SanitizeHtml | undefined> {
  const name = 'sanitize-html'; // not a dependency: resolved at run time, if installed
  try {
    return ((await import(name)) as { default: SanitizeHtml }).default;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, only: { type: 'string' }, set: { type: 'string' } } });
  const rounds = Math.max(1, Number(values.rounds));
  const contenders: Contender[] = [];
  const wanted = (name: string) => values.only === undefined || values.only === name;
  if (wanted('streaming')) contenders.push({ name: 'streaming', sanitizer: createSanitizer({ allowIframeHosts: IFRAME_HOSTS }) });
  if (wanted('sanitize-html')) {
    const sanitizeHtml = await loadSanitizeHtml();
    if (sanitizeHtml) contenders.push({ name: 'sanitize-html', sanitizer: createReferenceSanitizer(sanitizeHtml, { allowIframeHosts: IFRAME_HOSTS }) });
    else console.log('sanitize-html is not installed (npm install --no-save sanitize-html): measuring without it');
  }
  if (wanted('parse-only')) contenders.push({ name: 'parse-only', sanitizer: parseOnly });
  const sets = (
    [
      ['corpus', corpus],
      ['payloads', payloads],
      ['hostile-4k', hostile4k],
    ] as const
  )
    .filter(([name]) => values.set === undefined || values.set === name)
    .map(([name, make]) => [name, make()] as const);
  console.log(`node ${process.version}, ${rounds} rounds per set, median round reported`);
  for (const [set, bodies] of sets) {
    const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b.html), 0);
    for (const c of contenders) for (let w = 0; w < 3; w++) pass(c.sanitizer, bodies); // warm-up: JIT and caches
    const times = new Map(contenders.map((c) => [c.name, [] as number[]]));
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first, so neither always runs on the other's garbage.
      const order = r % 2 ? [...contenders].reverse() : contenders;
      for (const c of order) times.get(c.name)!.push(pass(c.sanitizer, bodies));
    }
    const row = contenders.map((c) => {
      const ms = median(times.get(c.name)!);
      return `${c.name} ${((ms * 1000) / bodies.length).toFixed(1)} µs/item ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
    });
    let same = '';
    const streaming = contenders.find((c) => c.name === 'streaming');
    const reference = contenders.find((c) => c.name === 'sanitize-html');
    if (streaming && reference) {
      const equal = bodies.filter((x) => JSON.stringify(streaming.sanitizer.sanitize(x.html, x.base)) === JSON.stringify(reference.sanitizer.sanitize(x.html, x.base))).length;
      const ratio = median(times.get(reference.name)!) / median(times.get(streaming.name)!);
      same = ` | streaming ${ratio.toFixed(1)}× faster | identical output ${equal}/${bodies.length}`;
    }
    console.log(`${set.padEnd(10)} ${bodies.length} items, ${(bytes / bodies.length / 1024).toFixed(1)} KB avg | ${row.join(' | ')}${same}`);
  }
}

await main();
