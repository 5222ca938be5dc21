// The store stage: everything refeed keeps, behind one interface (types.ts).
// SQLite (a file, the default) and PostgreSQL (a server several processes
// share) implement it; open.ts chooses one from site.state.
export * from './types.ts';
export { StateCorruptError, StateLostError, StateMissingError, StateOutdatedError, StoreUnavailableError } from './errors.ts';
export { rowsHash } from './rows-hash.ts';
export { describeState, openStore, setAsideCorruptState } from './open.ts';
