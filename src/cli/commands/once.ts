import type { Command } from '../command.ts';

// Placeholder until the once command lands; owners replace this file.
export const onceCommand: Command = {
  name: 'once',
  summary: '(not built yet)',
  usage: 'refeed once',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed once: not built yet');
    return 1;
  },
};
