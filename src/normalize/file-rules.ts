import type { ArticleContent, ChannelSettings } from '../core/types.ts';
import { rewriteFingerprint } from './rewrite.ts';
import { compileRules, type ItemRules, type RuleSubject } from './rules.ts';
import { htmlToText } from './text.ts';

// Article files follow a channel's keep/block rules: an article its owner's
// rules hide has no file on the Hexo site, and gets it back when a rule change
// shows it again. Not max_age: age only limits the feeds, the site's archive
// keeps old posts. The verdict is the one the publisher gives the stored
// article (after rewrites), so the files and the feeds agree.

type FileRuleSettings = Pick<ChannelSettings, 'rules' | 'include' | 'exclude' | 'rewrite' | 'trackingPixels' | 'fallbackImage'>;

/** The channel's rules as they decide its article files: keep/block and include/exclude, max_age left out. */
export function fileRules(settings: Pick<ChannelSettings, 'rules' | 'include' | 'exclude'>): ItemRules {
  return compileRules({ rules: settings.rules, include: settings.include, exclude: settings.exclude });
}

/**
 * What a channel's hidden articles depend on: its rules, and the rewrites
 * that make the stored articles they judge. '' when it has no rules (nothing
 * is hidden), what a store from before records: such a channel costs nothing.
 */
export function fileRulesFingerprint(settings: FileRuleSettings): string {
  const rules = fileRules(settings);
  return rules.empty ? '' : JSON.stringify({ rules: rules.fingerprint, rewrites: rewriteFingerprint(settings) });
}

/** A stored article as the rules read it, as the publisher reads it (store/visible-rows.ts). */
export function storedSubject(c: Pick<ArticleContent, 'title' | 'link' | 'date' | 'author' | 'itemAuthor' | 'tags' | 'html'>): RuleSubject {
  return { title: c.title, link: c.link ?? '', date: c.date.getTime(), author: c.itemAuthor ?? c.author, tags: c.tags, text: () => htmlToText(c.html) };
}
