import type { ChannelSettings } from '../core/types.ts';
import type { Command, CommandContext } from './command.ts';

/** An http(s) URL from what a person typed: `example.org` means https://example.org/. */
function pageUrl(input: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(input) ? input : `https://${input}`;
  try {
    const u = new URL(withScheme);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The one URL argument of `command` (discover, preview), or undefined after saying what is wrong with it. */
export function urlArgument(ctx: CommandContext, command: Command): string | undefined {
  const [input, ...extra] = ctx.positionals;
  const url = input ? pageUrl(input) : undefined;
  if (url && !extra.length) return url;
  ctx.err(`refeed ${command.name}: ${!input ? 'missing URL' : extra.length ? `unexpected ${extra.join(' ')}` : `not an http(s) URL: ${input}`}\n\nUsage: ${command.usage}`);
  return undefined;
}

/** `settings`, allowed private addresses when the command was given --allow-private. */
export function withAllowPrivate(ctx: CommandContext, settings: ChannelSettings): ChannelSettings {
  return ctx.values['allow-private'] ? { ...settings, allowPrivate: true } : settings;
}
