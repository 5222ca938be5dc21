export { createFeedServer, listen, type FeedServerOptions } from './server.ts';
export type { HealthReport } from '../core/types.ts';
