import { configOption, type Command } from '../command.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'show every channel: last success, last error, failures, items stored, next run',
  usage: 'refeed status [--config FILE] [--json]',
  help: `
Reads the state database; fetches nothing.

Options:
  -c, --config FILE  configuration file (default: config/refeed.yaml)
      --json         machine-readable output: an array of objects with key, group,
                     source, channel, url, enabled, disabled, status, lastSuccessAt,
                     lastFetchAt, lastError, lastWarning, consecutiveFailures, items,
                     nextRunAt

Status is one of: never fetched, new, updated, unchanged, not-modified, error,
gone (410: disabled until its URL changes in the config), off (enabled: false).`,
  options: { ...configOption, json: { type: 'boolean' } },
  load: async () => (await import('../actions/status.ts')).run,
};
