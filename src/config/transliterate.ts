import { createRequire } from 'node:module';

// Latin letters for names in other scripts, so their slugs (folders and feed
// URLs) can be read: Chinese by pinyin-pro (pinyin by word, so 重庆 is
// chong-qing and 银行 yin-hang), every other script (kana, hangul, Cyrillic,
// Greek…) by transliteration's tables. Both are loaded on first use only
// (about 0.1 s): a configuration of ASCII names, or with explicit slugs,
// never pays for them. Synchronous, as loading a configuration is.

const require = createRequire(import.meta.url);

type Pinyin = (text: string, opts: { toneType: 'none'; type: 'array'; nonZh: 'consecutive'; v: boolean }) => string[];
type Transliterate = (text: string) => string;

let pinyin: Pinyin | undefined;
let transliterate: Transliterate | undefined;

const HAN = /\p{Script=Han}/u;
/** Whether NFKD plus dropping combining marks (é → e) leaves anything that is not ASCII: that needs a table. */
const needsTable = (s: string) => /[^\p{ASCII}]/u.test(s.normalize('NFKD').replace(/\p{M}/gu, ''));

/** `name` with Chinese written as toneless pinyin and other scripts in Latin letters, words split by spaces. */
export function toLatin(name: string): string {
  if (!needsTable(name)) return name;
  let parts = [name];
  if (HAN.test(name)) {
    pinyin ??= (require('pinyin-pro') as { pinyin: Pinyin }).pinyin;
    parts = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: false });
  }
  return parts
    .map((p) => {
      if (!needsTable(p)) return p;
      transliterate ??= (require('transliteration') as { transliterate: Transliterate }).transliterate;
      return transliterate(p);
    })
    .join(' ');
}
