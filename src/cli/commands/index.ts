import type { Command } from '../command.ts';
import { runCommand } from './run.ts';
import { workerCommand } from './worker.ts';
import { onceCommand } from './once.ts';
import { fetchCommand } from './fetch.ts';
import { publishCommand } from './publish.ts';
import { reindexCommand } from './reindex.ts';
import { serveCommand } from './serve.ts';
import { statusCommand } from './status.ts';
import { validateCommand } from './validate.ts';
import { sourcesCommand } from './sources.ts';
import { discoverCommand } from './discover.ts';
import { previewCommand } from './preview.ts';
import { opmlCommand } from './opml.ts';

/** Every command, in the order `refeed --help` lists them. */
export const commands: Command[] = [
  runCommand,
  workerCommand,
  onceCommand,
  fetchCommand,
  publishCommand,
  reindexCommand,
  serveCommand,
  statusCommand,
  validateCommand,
  sourcesCommand,
  discoverCommand,
  previewCommand,
  opmlCommand,
];
