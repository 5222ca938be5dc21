// Worker-thread entry for prepare-pool.ts. Plain JavaScript because a worker
// starts without the parent's TypeScript loader: register tsx (as
// bin/refeed.js does), then load the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker-main.ts');
