import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from 'htmlparser2';
import { js2xml, xml2js, type Element as XmlElement } from 'xml-js';
import { parseArticle } from '../../src/normalize/index.ts';

// An independent check for executable content in everything refeed writes.
// It knows nothing of the sanitizer: it parses the published files the way a
// reader would (XML / JSON first, then the HTML those fields carry) and
// reports every construct a browser could run or that loads foreign
// documents: script-ish elements, on* handlers, style expressions, and
// javascript:/vbscript:/data: URLs, judged after entity decoding and with
// whitespace and control characters removed (as browsers strip them).

/** Elements that run script, load documents or styles, change the base URL, redirect, or submit. */
const EXECUTABLE_TAGS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'param', 'base', 'meta', 'link',
  'form', 'input', 'button', 'textarea', 'select', 'isindex', 'svg', 'math', 'template', 'noscript', 'portal',
  'xml', 'import', 'xss', 'handler', 'listener', 'animate', 'set', 'foreignobject',
]);
/** The same names found by a raw text search, in case a browser parses differently from htmlparser2. */
const RAW_TAG = new RegExp(`<\\s*/?\\s*(${[...EXECUTABLE_TAGS].join('|')})(?=[\\s/>]|$)`, 'i');

const URL_ATTRS = new Set([
  'href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'cite', 'codebase', 'dynsrc',
  'lowsrc', 'longdesc', 'ping', 'manifest', 'icon', 'profile', 'classid', 'archive', 'usemap', 'srcset', 'imagesrcset', 'to', 'from', 'values',
]);
const DANGEROUS_ATTRS = new Set(['srcdoc', 'http-equiv', 'formaction', 'action', 'xmlns:xlink']);
const STYLE_VECTOR = /expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding|@import|url\s*\(/i;
const RASTER_DATA = /^data:image\/(?:png|jpe?g|gif|webp|avif|bmp|x-icon|vnd\.microsoft\.icon|svg\+xml)[;,]/;

/**
 * A URL's scheme as a browser's URL parser finds it: it strips leading C0
 * controls and spaces and removes tabs and newlines anywhere. Here every C0,
 * space, DEL and C1 character goes, anywhere: stricter than any browser.
 */
export function schemeView(url: string): string {
  // eslint-disable-next-line no-control-regex
  return url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
}

/** Why `url` is dangerous in `attr` of `<tag>`, or undefined when it is harmless. */
export function dangerousUrl(url: string, tag = '', attr = ''): string | undefined {
  const v = schemeView(url);
  if (/^(?:javascript|vbscript):/.test(v)) return `script URL ${JSON.stringify(url.slice(0, 80))}`;
  if (v.startsWith('data:')) {
    // An image can't run script; anything else behind data: is a document.
    if ((tag === 'img' || tag === 'source' || tag === '') && (attr === 'src' || attr === 'srcset' || attr === '') && RASTER_DATA.test(v)) return undefined;
    return `data URL ${JSON.stringify(url.slice(0, 80))}`;
  }
  return undefined;
}

/** Every executable construct in an HTML fragment or document. `allowHead` accepts the index page's own <head>. */
export function htmlFindings(html: string, opts: { allowHead?: boolean } = {}): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  const inHead = () => opts.allowHead === true && stack.includes('head');
  if (!opts.allowHead) {
    const raw = RAW_TAG.exec(html);
    if (raw) found.push(`raw tag text ${JSON.stringify(html.slice(raw.index, raw.index + 40))}`);
  }
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        stack.push(name);
        if (EXECUTABLE_TAGS.has(name)) {
          const ok = inHead() && (name === 'style' || name === 'link' || (name === 'meta' && !('http-equiv' in attribs)));
          if (!ok) found.push(`<${name}>`);
        }
        for (const [attr, value] of Object.entries(attribs)) {
          if (attr.startsWith('on')) found.push(`<${name} ${attr}>`);
          if (DANGEROUS_ATTRS.has(attr)) found.push(`<${name} ${attr}>`);
          if (attr === 'style' && STYLE_VECTOR.test(schemeView(value))) found.push(`<${name} style=${JSON.stringify(value.slice(0, 80))}>`);
          if (!URL_ATTRS.has(attr) && !/(?:^|:)href$/.test(attr)) continue;
          const urls = attr.endsWith('srcset') ? value.split(',').map((c) => c.trim().split(/\s+/)[0] ?? '') : [value];
          for (const u of urls) {
            const why = dangerousUrl(u, name, attr);
            if (why) found.push(`<${name} ${attr}>: ${why}`);
          }
        }
      },
      onclosetag() {
        stack.pop();
      },
      onprocessinginstruction(name) {
        if (name.toLowerCase() !== '!doctype') found.push(`processing instruction <${name}>`);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

// ---------------------------------------------------------------- feeds

function textOf(e: XmlElement): string {
  return (e.elements ?? [])
    .map((c) => (c.type === 'text' ? String(c.text) : c.type === 'cdata' ? String(c.cdata) : ''))
    .join('');
}

function walkXml(e: XmlElement, visit: (e: XmlElement, parents: string[]) => void, parents: string[] = []): void {
  visit(e, parents);
  for (const c of e.elements ?? []) if (c.type === 'element') walkXml(c, visit, [...parents, e.name ?? '']);
}

/** Elements whose text is HTML, per feed format. */
function htmlField(root: string, name: string, type: string | undefined): boolean {
  if (root === 'rss') return name === 'description' || name === 'content:encoded';
  if (root === 'feed') return (name === 'content' || name === 'summary' || name === 'title' || name === 'subtitle' || name === 'rights') && (type === 'html' || type === 'xhtml');
  return false;
}

/** Findings in an RSS / Atom / OPML document: its HTML fields decoded and scanned, every URL attribute checked. */
export function xmlFindings(xml: string): string[] {
  const found: string[] = [];
  let doc: XmlElement;
  try {
    doc = xml2js(xml, { compact: false, alwaysChildren: true }) as XmlElement;
  } catch (err) {
    return [`not well-formed XML: ${(err as Error).message.split('\n')[0]}`];
  }
  const top = doc.elements ?? [];
  for (const n of top) {
    if (n.type === 'instruction') found.push(`processing instruction <?${n.name}?>`);
    if (n.type === 'doctype') found.push(`DOCTYPE ${n.doctype}`);
  }
  const root = top.find((n) => n.type === 'element');
  if (!root) return [...found, 'no root element'];
  walkXml(root, (e) => {
    const name = e.name ?? '';
    const attrs = (e.attributes ?? {}) as Record<string, string>;
    if (e.elements?.some((c) => c.type === 'instruction')) found.push(`processing instruction inside <${name}>`);
    for (const [attr, value] of Object.entries(attrs)) {
      if (['url', 'href', 'src', 'xmlUrl', 'htmlUrl', 'uri'].includes(attr)) {
        const why = dangerousUrl(String(value));
        if (why) found.push(`<${name} ${attr}>: ${why}`);
      }
    }
    if (['link', 'guid', 'id', 'uri', 'url', 'icon', 'logo', 'comments', 'docs'].includes(name) && !e.elements?.some((c) => c.type === 'element')) {
      const why = dangerousUrl(textOf(e));
      if (why) found.push(`<${name}>: ${why}`);
    }
    const type = attrs.type;
    if (htmlField(root.name ?? '', name, type)) {
      const html = type === 'xhtml' ? js2xml({ elements: e.elements ?? [] }) : textOf(e);
      for (const f of htmlFindings(html)) found.push(`<${name}> ${f}`);
    }
  });
  return found;
}

/** Findings in a JSON Feed: content_html scanned, URLs checked. */
export function jsonFeedFindings(text: string): string[] {
  const found: string[] = [];
  let feed: { items?: Record<string, unknown>[]; home_page_url?: unknown; feed_url?: unknown };
  try {
    feed = JSON.parse(text);
  } catch (err) {
    return [`not JSON: ${(err as Error).message}`];
  }
  for (const k of ['home_page_url', 'feed_url'] as const) {
    const why = typeof feed[k] === 'string' ? dangerousUrl(feed[k]) : undefined;
    if (why) found.push(`${k}: ${why}`);
  }
  for (const [i, item] of (feed.items ?? []).entries()) {
    if (typeof item.content_html === 'string') for (const f of htmlFindings(item.content_html)) found.push(`items[${i}].content_html ${f}`);
    for (const k of ['url', 'external_url', 'image', 'banner_image', 'id']) {
      const v = item[k];
      const why = typeof v === 'string' ? dangerousUrl(v) : undefined;
      if (why) found.push(`items[${i}].${k}: ${why}`);
    }
  }
  return found;
}

/** Findings in an article file: the body HTML scanned, front-matter URLs checked. */
export function articleFindings(text: string): string[] {
  let a;
  try {
    a = parseArticle(text);
  } catch (err) {
    return [`unreadable article: ${(err as Error).message}`];
  }
  const found = htmlFindings(a.html);
  for (const [k, v] of [['link', a.link], ['headimg', a.headimg]] as const) {
    if (v && !/^https?:\/\//i.test(v)) found.push(`${k} is not an http(s) URL: ${JSON.stringify(v.slice(0, 80))}`);
  }
  return found;
}

/** Every file under `dir`, relative, sorted (dotfiles included). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** Scans every file refeed wrote under `output`; keys are relative paths with findings. */
export function scanOutput(output: string): { files: number; findings: Record<string, string[]> } {
  const findings: Record<string, string[]> = {};
  const files = listFiles(output);
  for (const rel of files) {
    const text = readFileSync(path.join(output, rel), 'utf8');
    const base = path.basename(rel);
    let f: string[];
    if (base.startsWith('.')) f = [`leftover file ${base}`];
    else if (rel.endsWith('.md')) f = articleFindings(text);
    else if (rel.endsWith('.xml') || rel.endsWith('.opml')) f = xmlFindings(text);
    else if (rel.endsWith('.json')) f = jsonFeedFindings(text);
    else if (rel.endsWith('.html')) f = htmlFindings(text, { allowHead: true });
    else f = [`unexpected file`];
    if (f.length) findings[rel] = f;
  }
  return { files: files.length, findings };
}
