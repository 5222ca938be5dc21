import { configOption, type Command } from '../command.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check the configuration file and list every problem with its line',
  usage: 'refeed validate [--config FILE] [--json]',
  help: `
Loads the configuration exactly as every other command does and reports all
problems at once — YAML syntax errors, unknown keys (typos such as "shedule"),
bad URLs, cron expressions, durations, sizes, regexes and duplicate URLs —
each with its line and its path in the file, in the form

  config/refeed.yaml:32: groups[1].sources[0].channels[0].url: must be an absolute http(s) URL

When the file is valid, prints a short summary (groups, sources, channels,
how many are enabled) and any warnings, such as two names that would share a
folder slug and were given "-2".

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml, or $REFEED_CONFIG)
      --json         print {ok, file, problems, warnings, counts} as JSON

The report goes to stdout. Exit codes: 0 valid (warnings do not fail),
2 any problem (the code every command uses for a bad configuration).`,
  options: { ...configOption, json: { type: 'boolean' } },
  load: async () => (await import('../actions/validate.ts')).run,
};
