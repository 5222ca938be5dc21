import type { Command } from '../command.ts';

// Placeholder until the serve command lands; owners replace this file.
export const serveCommand: Command = {
  name: 'serve',
  summary: '(not built yet)',
  usage: 'refeed serve',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed serve: not built yet');
    return 1;
  },
};
