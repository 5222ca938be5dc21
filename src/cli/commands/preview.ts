import type { Command } from '../command.ts';

// Placeholder until the preview command lands; owners replace this file.
export const previewCommand: Command = {
  name: 'preview',
  summary: '(not built yet)',
  usage: 'refeed preview',
  help: '',
  options: {},
  async run(ctx) {
    ctx.err('refeed preview: not built yet');
    return 1;
  },
};
