import type { Command } from '../command.ts';

// Placeholder until the opml command lands; owners replace this file.
export const opmlCommand: Command = {
  name: 'opml',
  summary: '(not built yet)',
  usage: 'refeed opml',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed opml: not built yet');
    return 1;
  },
};
