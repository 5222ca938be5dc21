/** The state database cannot be read: damaged, or not a database. Names the fix. */
export class StateCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`the state database ${file} is corrupt (${reason}); run \`refeed reindex\` to rebuild it from the article files`);
    this.name = 'StateCorruptError';
  }
}

/** The state database was written by an older refeed: the next run that writes upgrades it. */
export class StateOutdatedError extends Error {
  constructor(readonly file: string) {
    super(`the state database ${file} is from an older refeed; the next fetch, once, publish or run upgrades it`);
    this.name = 'StateOutdatedError';
  }
}

/** The state database was written by a newer refeed: this one must not touch it. */
export function schemaTooNew(version: number, known: number): Error {
  return new Error(`the state database has schema version ${version}; this refeed knows ${known}: upgrade refeed`);
}

/**
 * The state database's server cannot be reached or refuses us (down, wrong
 * address, no such database, bad credentials). Names the server as
 * host:port/database, never the password.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly server: string,
    readonly reason: string,
  ) {
    super(`cannot use the state database ${server}: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}

/** A state database with no refeed tables yet (read-only commands create nothing): there is no state to show. */
export class StateMissingError extends Error {
  constructor(readonly server: string) {
    super(`the state database ${server} holds no refeed state yet; the next fetch, once, publish or run creates it`);
    this.name = 'StateMissingError';
  }
}

/**
 * The state file this process opened is no longer the one at its path
 * (deleted, replaced, emptied): whatever it writes now would be lost, and
 * what it would publish is not what the next run reads.
 */
export class StateLostError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StateLostError';
  }
}
