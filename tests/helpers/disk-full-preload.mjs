// Loaded with `node --import` into a refeed process under test: every open
// for writing of a file under REFEED_TEST_DISK_FULL_UNDER fails with ENOSPC,
// as on a full disk (while the file REFEED_TEST_DISK_FULL_FLAG exists, when
// that is set, so a test can free the disk under a running daemon).
// Reading, renaming and removing still work, as they do on a full disk.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const under = process.env.REFEED_TEST_DISK_FULL_UNDER;
const flag = process.env.REFEED_TEST_DISK_FULL_FLAG;

if (under) {
  const { O_WRONLY, O_RDWR } = fs.constants;
  const full = (p) => typeof p === 'string' && p.startsWith(under) && (!flag || fs.existsSync(flag));
  const writing = (flags) => (typeof flags === 'string' ? /[wa+]/.test(flags) : typeof flags === 'number' && (flags & (O_WRONLY | O_RDWR)) !== 0);
  const enospc = (syscall, p) => Object.assign(new Error(`ENOSPC: no space left on device, ${syscall} '${p}'`), { code: 'ENOSPC', errno: -28, syscall, path: p });

  const openSync = fs.openSync;
  fs.openSync = function (p, flags = 'r', ...rest) {
    if (writing(flags) && full(p)) throw enospc('open', p);
    return openSync.call(this, p, flags, ...rest);
  };
  const writeFileSync = fs.writeFileSync;
  fs.writeFileSync = function (p, ...rest) {
    if (full(p)) throw enospc('open', p);
    return writeFileSync.call(this, p, ...rest);
  };
  const open = fs.promises.open;
  fs.promises.open = async function (p, flags = 'r', ...rest) {
    if (writing(flags) && full(p)) throw enospc('open', p);
    return open.call(this, p, flags, ...rest);
  };
  const writeFile = fs.promises.writeFile;
  fs.promises.writeFile = async function (p, ...rest) {
    if (full(p)) throw enospc('open', p);
    return writeFile.call(this, p, ...rest);
  };
  syncBuiltinESMExports();
}
