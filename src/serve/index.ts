export { createFeedServer, listen, type FeedServerOptions, type WebSubCallback } from './server.ts';
export type { HealthReport } from '../core/types.ts';
