// Content types of what the publisher writes. Feeds get their specific media
// types so readers and browsers recognise them; all text gets an explicit charset
// because the publisher always writes UTF-8.

import path from 'node:path';

const BY_NAME: Record<string, string> = {
  'rss.xml': 'application/rss+xml; charset=utf-8',
  'atom.xml': 'application/atom+xml; charset=utf-8',
  'feed.json': 'application/feed+json; charset=utf-8',
};

const BY_EXT: Record<string, string> = {
  '.xml': 'application/xml; charset=utf-8',
  '.xsl': 'application/xslt+xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.opml': 'text/x-opml; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
};

export const DEFAULT_TYPE = 'application/octet-stream';

/** Content type for a file name (the name as requested, not a symlink's target). */
export function contentTypeFor(fileName: string): string {
  const name = fileName.toLowerCase();
  return BY_NAME[name] ?? BY_EXT[path.extname(name)] ?? DEFAULT_TYPE;
}

/** Whether compressing pays off: text formats yes, images and unknown binaries no. */
export function isCompressible(contentType: string): boolean {
  const mime = contentType.split(';')[0].trim();
  return mime.startsWith('text/') || mime.endsWith('+xml') || mime.endsWith('/xml') || mime.endsWith('json') || mime.endsWith('javascript');
}
