// A write refused by the disk (full, over quota, read-only, not ours) is the
// machine's fault, not the source's and not refeed's: it gets its own error
// code, `disk`, and a message naming the file, so that an operator frees
// space or fixes a mount instead of reporting a bug.

/** What each errno means to an operator, for the write that failed. */
const DISK_ERRNO: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large for the file system',
  EIO: 'input/output error',
};

/** SQLite's result codes for the same faults on the state database (SQLITE_READONLY_DBMOVED and kin are not disk faults). */
const SQLITE_DISK: Record<string, string> = {
  SQLITE_FULL: 'no space left on device',
  SQLITE_READONLY: 'read-only database',
  SQLITE_IOERR: 'input/output error',
  SQLITE_IOERR_WRITE: 'input/output error',
  SQLITE_IOERR_FSYNC: 'input/output error',
};

export class DiskError extends Error {
  /** The errno (ENOSPC…) or SQLite code (SQLITE_FULL…) it came with: checks on `code` keep working. */
  readonly code: string;

  constructor(
    /** The file being written (the target, not its temp file). */
    readonly path: string,
    code: string,
    what: string,
    options?: { cause?: unknown },
  ) {
    super(`${what} writing ${path}`, options);
    this.name = 'DiskError';
    this.code = code;
  }
}

function faultOf(err: unknown, file: string, table: Record<string, string>): DiskError | undefined {
  if (err instanceof DiskError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const what = typeof code === 'string' ? table[code] : undefined;
  return what ? new DiskError(file, code as string, what, { cause: err }) : undefined;
}

/** `err` as a DiskError when it is a disk fault while writing `file` (an errno such as ENOSPC), else undefined. */
export function diskErrorOf(err: unknown, file: string): DiskError | undefined {
  return faultOf(err, file, DISK_ERRNO);
}

/** A SQLite error that is a disk fault on the state database `file` (SQLITE_FULL…) as a DiskError; a DiskError as it is. */
export function stateDiskErrorOf(err: unknown, file: string): DiskError | undefined {
  return faultOf(err, file, SQLITE_DISK);
}

/** `err` turned into a DiskError when it is one (see diskErrorOf), else unchanged: for rethrowing. */
export function asDiskError(err: unknown, file: string): unknown {
  return diskErrorOf(err, file) ?? err;
}
