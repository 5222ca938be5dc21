import type { FetchError, FetchErrorCode } from '../core/types.ts';

/** Codes `parseFeed` can fail with: the body arrived but is not a usable feed. */
export type FeedParseErrorCode = Extract<FetchErrorCode, 'parse' | 'not-a-feed' | 'empty'>;

/**
 * Thrown by `parseFeed`; `fetchFeed` turns it into a `FetchError`. A class
 * (rather than a plain object) so callers can tell it from a bug with `instanceof`.
 */
export class FeedParseError extends Error {
  readonly code: FeedParseErrorCode;
  /** For `not-a-feed`: absolute URLs of feeds the HTML page advertises. */
  readonly alternates?: string[];

  constructor(code: FeedParseErrorCode, message: string, alternates?: string[]) {
    super(message);
    this.name = 'FeedParseError';
    this.code = code;
    if (alternates?.length) this.alternates = alternates;
  }

  toFetchError(): FetchError {
    return { code: this.code, message: this.message, ...(this.alternates ? { alternates: this.alternates } : {}) };
  }
}

export function fetchError(code: FetchErrorCode, message: string, extra: Omit<FetchError, 'code' | 'message'> = {}): FetchError {
  return { code, message, ...extra };
}

/** An Error's message, or the value as text: for wrapping unknown throws in messages. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
