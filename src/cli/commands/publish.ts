import type { Command } from '../command.ts';

// Placeholder until the publish command lands; owners replace this file.
export const publishCommand: Command = {
  name: 'publish',
  summary: '(not built yet)',
  usage: 'refeed publish',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed publish: not built yet');
    return 1;
  },
};
