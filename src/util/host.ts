/** The host (with port) of a URL, the key per-host bounds and messages use; the text itself when it is no URL or has no host. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
