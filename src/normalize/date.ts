export { parseFeedDate } from '../util/feed-date.ts';

/** A date further ahead than this is a feed's mistake, not a schedule: such an item is dated when first seen. */
export const FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;
