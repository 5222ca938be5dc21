/** `ref` resolved against `base` (ignored when missing or invalid); undefined when neither makes a URL. */
export function resolveUrl(ref: string, base?: string): string | undefined {
  if (base && URL.canParse(ref, base)) return new URL(ref, base).href;
  return URL.canParse(ref) ? new URL(ref).href : undefined;
}

export function isHttpUrl(href: string): boolean {
  return href.startsWith('http://') || href.startsWith('https://');
}
