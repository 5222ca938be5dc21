import { readFileSync } from 'node:fs';
import Parser from 'rss-parser';
import { parseFeed } from './refeed.ts';
import { corpusFile } from './corpus-store.ts';
import type { TaskResult } from './tasks.ts';

// Parse throughput alone: refeed's reader (one streaming htmlparser2 pass,
// src/fetch) against rss-parser (sax + xml2js) on the same bytes, no network,
// no normalizing. Each reader runs in a fresh process of its own (so its
// peak RSS is its own); the harness alternates them, run after run.

export type ParseReader = 'refeed' | 'rss-parser';

export interface ParseTask {
  kind: 'parse';
  reader: ParseReader;
  /** Corpus folder (corpus-store.ts) and how many of its channel files to read. */
  dir: string;
  channels: number;
}


const WARM_UP_PASSES = 2;
/** Timed passes; the fastest counts, since the machine is shared and others' load only ever slows a pass. */
const TIMED_PASSES = 3;

type Read = (text: string) => Promise<number> | number;

function readerFor(reader: ParseReader): Read {
  if (reader === 'refeed') return (text) => parseFeed(text, 'http://127.0.0.1/feed').items.length;
  // Configured as the bench baseline and most projects use it: defaults.
  const parser = new Parser();
  return async (text) => (await parser.parseString(text)).items.length;
}

export async function runParseTask(task: ParseTask): Promise<TaskResult> {
  // The bytes a fetch would have, decoded as UTF-8 once: both readers get the same strings.
  const texts = Array.from({ length: task.channels }, (_, i) => readFileSync(corpusFile(task.dir, i)).toString('utf8'));
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const read = readerFor(task.reader);
  // Untimed passes first: both readers are measured compiled and with their
  // heap grown, as in a long-running `refeed run`; profiling showed the
  // optimizing compiler still at work on the second pass.
  for (let pass = 0; pass < WARM_UP_PASSES; pass++) for (const text of texts) await read(text);
  let ms = Infinity;
  let items = 0;
  for (let pass = 0; pass < TIMED_PASSES; pass++) {
    const t0 = performance.now();
    items = 0;
    for (const text of texts) items += await read(text);
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, items, bytes, detail: { reader: task.reader, feeds: texts.length } };
}
