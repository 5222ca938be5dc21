/** `ref` resolved against `base` (ignored when missing or invalid); undefined when neither makes a URL. */
export function resolveUrl(ref: string, base?: string): string | undefined {
  if (base && URL.canParse(ref, base)) return new URL(ref, base).href;
  return URL.canParse(ref) ? new URL(ref).href : undefined;
}

export function isHttpUrl(href: string): boolean {
  return href.startsWith('http://') || href.startsWith('https://');
}

/**
 * The URL a fetched document's relative links resolve against: its HTTP
 * Content-Location (RFC 9110 §8.7, resolved against the URL fetched) when it
 * names an http(s) URL, as feedparser reads it; else the URL fetched.
 */
export function documentUrl(finalUrl: string, contentLocation: string | undefined): string {
  const value = contentLocation?.trim();
  if (!value) return finalUrl;
  const href = resolveUrl(value, finalUrl);
  return href && isHttpUrl(href) ? href : finalUrl;
}
