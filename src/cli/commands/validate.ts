import { configOption, type Command } from '../command.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check the configuration file and list every problem with its line',
  usage: 'refeed validate [--config FILE] [--json]',
  help: `
Loads the configuration exactly as every other command does and reports all
problems at once, in file order — YAML syntax errors, unknown keys (with the
closest known one: "shedule" gets "did you mean schedule"), bad URLs, cron
expressions (steps out of range such as */61, dates that never come such as
"0 0 31 2 *"), durations, sizes, patterns RE2 cannot read (with RE2's
reason), rules with an unknown action or field or a bad date, and duplicate
URLs — each with its line and its path in the file, in the form

  config/refeed.yaml:32: groups[1].sources[0].channels[0].url: must be an absolute http(s) URL

Warnings are listed with them (file:line: warning: …): two names that would
share a folder slug and were given "-2", a name that gives no readable slug
(only a hash), a rule pattern that likely says something else than meant
("(i?)" for "(?i)", an unescaped "." in a link rule's domain, an empty
pattern). When the file is valid, prints a short summary (groups,
sources, channels, how many are enabled), the warnings, and notes: names
that keep the slug an older refeed gave them because their channels' state
and feeds are stored under it (with the readable slug \`slug:\` would switch
to), and channels whose history moves on the next run.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml, or $REFEED_CONFIG)
      --json         print {ok, file, problems, warnings, keptSlugs, counts,
                     changes} as JSON (problems and warnings as {path, line,
                     message})

The report goes to stdout. Exit codes: 0 valid (warnings do not fail),
2 any problem (the code every command uses for a bad configuration).`,
  options: { ...configOption, json: { type: 'boolean' } },
  load: async () => (await import('../actions/validate.ts')).run,
};
