// Dev aid: publishes the tests/publish fixture store (plus a hand-written seed
// article and extra hostile titles) into a folder, to diff publisher output
// before/after a change. Usage: npx tsx bench/publish-snapshot.ts OUTDIR
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../src/core/log.ts';
import { publish } from '../src/publish/index.ts';
import { channelOf, makeArticle, storeArticle } from '../tests/helpers/articles.ts';
import { indexHandWritten, KEYS, setup } from '../tests/publish/fixture.ts';

const dest = process.argv[2];
const f = await setup();
const rel = 'articles/xinmeiti/woshipm/seed-article.md';
mkdirSync(path.join(f.output, 'articles/xinmeiti/woshipm'), { recursive: true });
writeFileSync(path.join(f.output, rel), readFileSync(path.join(import.meta.dirname, '../tests/fixtures/publish/seed-article.md')));
indexHandWritten(f, { path: rel, channelKey: KEYS.woshipm, itemKey: 'seed-identity', title: '产业互联网需要被正名' });
const lwn = channelOf(f.config, KEYS.lwn);
await storeArticle(f.config, f.state, makeArticle(lwn, { title: ' ]]> twice ]]> &amp; \u0001 ctl ', date: '2024-03-12T00:00:00Z', guid: '12345', author: '', html: '<p>a ]]> b ]]> c &amp;amp;</p>\n<pre> x\n  y</pre>', headimg: 'https://img.example/x?a=1&b=<2>' }));
await storeArticle(f.config, f.state, makeArticle(lwn, { title: 'dup guid', date: '2024-03-12T01:00:00Z', guid: 'post-front-page-2', headimg: '' }));
await storeArticle(f.config, f.state, makeArticle(lwn, { title: 'js guid', date: '2024-03-12T02:00:00Z', guid: 'javascript:alert(1)', headimg: 'ftp://x/y.png' }));
const r1 = await publish(f.config, f.state, { logger: silentLogger });
const r2 = await publish(f.config, f.state, { logger: silentLogger });
rmSync(dest, { recursive: true, force: true });
cpSync(f.output, dest, { recursive: true });
writeFileSync(path.join(dest, 'reports.json'), JSON.stringify([r1, r2], null, 1));
await f.state.close();
rmSync(f.dir, { recursive: true, force: true });
