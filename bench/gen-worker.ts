// Child process: writes the corpus files it is given, then says done.
import { reportFatal } from './child.ts';
import { writeChannels } from './corpus-store.ts';

process.once('message', (m: { dir: string; seed: number; items: number; indices: number[] }) => {
  try {
    const generated = writeChannels(m.dir, m, m.indices);
    process.send!({ type: 'done', generated }, () => process.disconnect());
  } catch (err) {
    reportFatal(err);
    process.exitCode = 1;
    process.disconnect();
  }
});
