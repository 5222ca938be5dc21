// Lenient parsing of the dates feeds actually write (in util: the readers
// use it to pick a readable date among an item's date elements, the
// normalizer to date the article). Every format is parsed
// explicitly so the result never depends on the machine's time zone; a date
// without a zone is taken as UTC (the only choice that is the same everywhere).

const MONTHS: Record<string, number> = {};
[
  ['jan', 'january'], ['feb', 'february'], ['mar', 'march'], ['apr', 'april'], ['may', 'may'], ['jun', 'june'],
  ['jul', 'july'], ['aug', 'august'], ['sep', 'september', 'sept'], ['oct', 'october'], ['nov', 'november'], ['dec', 'december'],
].forEach((names, i) => names.forEach((n) => (MONTHS[n] = i)));

// RFC 822 zone names plus those feeds commonly add. CST is RFC 822's
// US Central time, not China Standard Time.
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600,
  bst: 60, cet: 60, west: 60, cest: 120, eet: 120, eest: 180, msk: 180,
  ist: 330, hkt: 480, sgt: 480, awst: 480, jst: 540, kst: 540, acst: 570, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

// RFC 822's one-letter military zones: A–I are −1…−9 hours, K–M −10…−12,
// N–Y +1…+12, Z is UTC (J is unused). RFC 2822 notes 822 may have had the
// signs backwards, but feeds that write them follow 822 as printed, and so
// does feedparser.
'abcdefghiklm'.split('').forEach((c, i) => (ZONES[c] = -60 * (i + 1)));
'nopqrstuvwxy'.split('').forEach((c, i) => (ZONES[c] = 60 * (i + 1)));

/** Offset in minutes east of UTC for a zone spelling; '' is UTC; undefined when unknown. */
function zoneOffset(raw: string): number | undefined {
  const zone = raw.replace(/\([^)]*\)/g, '').trim().toLowerCase();
  if (zone === '') return 0;
  if (zone in ZONES) return ZONES[zone];
  const m = /^(?:(?:gmt|utc|ut)\s*)?([+-])\s*(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] ? Number(m[3]) : 0;
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function fullYear(y: string): number {
  const n = Number(y);
  if (y.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (y.length === 3) return 1900 + n;
  return n;
}

interface Parts {
  year: number;
  month: number; // 0-based
  day: number;
  hour?: string;
  minute?: string;
  second?: string;
  fraction?: string;
  zone?: string;
}

function build(p: Parts): Date | undefined {
  const hour = p.hour ? Number(p.hour) : 0;
  const minute = p.minute ? Number(p.minute) : 0;
  const second = Math.min(p.second ? Number(p.second) : 0, 59); // a leap second lands on :59
  const ms = p.fraction ? Math.round(Number(`0.${p.fraction}`) * 1000) : 0;
  const offset = zoneOffset(p.zone ?? '');
  if (offset === undefined) return undefined;
  if (p.year < 1000 || p.year > 9999 || p.month < 0 || p.month > 11 || p.day < 1 || p.day > 31) return undefined;
  if (hour > 24 || minute > 59 || (hour === 24 && (minute > 0 || second > 0))) return undefined;
  // Reject day overflow (31 Feb) instead of letting Date roll it into March.
  const probe = new Date(Date.UTC(p.year, p.month, p.day));
  if (probe.getUTCDate() !== p.day) return undefined;
  const t = Date.UTC(p.year, p.month, p.day, hour, minute, second, ms) - offset * 60_000;
  return Number.isFinite(t) ? new Date(t) : undefined;
}

// 2022-07-30, 2022-07-30T08:00:00.123+08:00, 2022/07/30 08:00, 2022-07-30 08:00:00 UTC
const ISO = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(z|[a-z]{2,5}|(?:gmt|utc)?\s*[+-]\d{1,2}(?::?\d{2})?)?$/i;
// [Sat,] 30 Jul 2022 [00:00[:00]] [GMT|+0000|…]
const RFC822 = /^(?:[a-z]+\.?,?\s*)?(\d{1,2})[\s-]+([a-z]+)\.?,?[\s-]+(\d{2,4}),?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(.*)$/i;
// [Saturday,] July 30, 2022 [8:00[:00] [PM]] [zone]
const US = /^(?:[a-z]+\.?,?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?\s*(.*)$/i;
// 2022年07月30日 [上午|下午] [08:00[:00] | 8时30分[15秒]] [zone]
const CJK = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s*(上午|凌晨|早上|中午|下午|晚上)?\s*(\d{1,2})\s*[:：时點点]\s*(\d{1,2})\s*(?:分\s*)?(?:[:：]?\s*(\d{1,2})\s*秒?)?)?\s*(.*)$/;

function twelveHour(hour: string | undefined, marker: string | undefined): string | undefined {
  if (!hour || !marker) return hour;
  const h = Number(hour) % 12;
  const pm = /^(?:p|下午|晚上|中午)/i.test(marker) && !(marker === '中午' && Number(hour) >= 11);
  return String(pm ? h + 12 : marker === '中午' ? Number(hour) : h);
}

/** Parses a feed's date string; undefined when it cannot be read with confidence. */
export function parseFeedDate(input: unknown): Date | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input.trim().replace(/\s+/g, ' ');
  if (!s || s.length > 200) return undefined;
  let m: RegExpExecArray | null;
  if ((m = ISO.exec(s))) {
    return build({ year: Number(m[1]), month: Number(m[2]) - 1, day: Number(m[3]), hour: m[4], minute: m[5], second: m[6], fraction: m[7], zone: m[8] });
  }
  if ((m = RFC822.exec(s))) {
    const month = MONTHS[m[2].toLowerCase()];
    if (month !== undefined) {
      return build({ year: fullYear(m[3]), month, day: Number(m[1]), hour: m[4], minute: m[5], second: m[6], fraction: m[7], zone: m[8] });
    }
  }
  if ((m = US.exec(s))) {
    const month = MONTHS[m[1].toLowerCase()];
    if (month !== undefined) {
      return build({ year: Number(m[3]), month, day: Number(m[2]), hour: twelveHour(m[4], m[7]), minute: m[5], second: m[6], zone: m[8] });
    }
  }
  if ((m = CJK.exec(s))) {
    return build({ year: Number(m[1]), month: Number(m[2]) - 1, day: Number(m[3]), hour: twelveHour(m[5], m[4]), minute: m[6], second: m[7], zone: m[8] });
  }
  if (/^\d{10}$/.test(s)) return new Date(Number(s) * 1000);
  if (/^\d{13}$/.test(s)) return new Date(Number(s));
  return fallbackParse(s);
}

// Last resort: the engine's parser, but only when the string names a plausible
// year that the result agrees with (Date.parse turns "1" or "x 2" into dates).
function fallbackParse(s: string): Date | undefined {
  const year = /(?:^|\D)(\d{4})(?:\D|$)/.exec(s);
  if (!year) return undefined;
  const t = Date.parse(s);
  if (!Number.isFinite(t)) return undefined;
  const d = new Date(t);
  if (Math.abs(d.getUTCFullYear() - Number(year[1])) > 1) return undefined;
  if (d.getUTCFullYear() < 1000 || d.getUTCFullYear() > 9999) return undefined;
  return d;
}
