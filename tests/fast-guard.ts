import { installFastGuard } from './helpers/fast-guard.ts';

// Setup file of `npm run test:fast`: see tests/helpers/fast-guard.ts.
installFastGuard();
