import type { Command } from '../command.ts';

// Placeholder until the validate command lands; owners replace this file.
export const validateCommand: Command = {
  name: 'validate',
  summary: '(not built yet)',
  usage: 'refeed validate',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed validate: not built yet');
    return 1;
  },
};
