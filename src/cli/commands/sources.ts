import type { Command } from '../command.ts';

// Placeholder until the sources command lands; owners replace this file.
export const sourcesCommand: Command = {
  name: 'sources',
  summary: '(not built yet)',
  usage: 'refeed sources',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed sources: not built yet');
    return 1;
  },
};
