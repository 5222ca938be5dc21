import type { Command } from '../command.ts';

// Placeholder until the run command lands; owners replace this file.
export const runCommand: Command = {
  name: 'run',
  summary: '(not built yet)',
  usage: 'refeed run',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed run: not built yet');
    return 1;
  },
};
