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
