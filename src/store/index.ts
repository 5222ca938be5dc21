// The store stage: everything refeed keeps, behind one interface (types.ts).
// SQLite (a file, the default) implements it; see open.ts for choosing one.
export * from './types.ts';
export { StateCorruptError, StateOutdatedError } from './errors.ts';
export { rowsHash } from './rows-hash.ts';
export { openStore, setAsideCorruptState } from './open.ts';
