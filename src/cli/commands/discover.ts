import type { Command } from '../command.ts';

// Placeholder until the discover command lands; owners replace this file.
export const discoverCommand: Command = {
  name: 'discover',
  summary: '(not built yet)',
  usage: 'refeed discover',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed discover: not built yet');
    return 1;
  },
};
