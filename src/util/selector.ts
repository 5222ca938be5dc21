import { compile } from 'css-select';

// CSS selectors editors write (`full_text: "article .body"`) are read by
// css-select, the engine that later runs them on the htmlparser2 DOM: what it
// cannot compile is rejected when the configuration is validated, in its words.

/** Why css-select cannot use `selector`, or undefined when it can. */
export function selectorProblem(selector: string): string | undefined {
  if (!selector.trim()) return 'must be a CSS selector, not an empty string';
  try {
    compile(selector);
    return undefined;
  } catch (err) {
    return `must be a CSS selector css-select can read: ${(err as Error)?.message ?? String(err)}`;
  }
}
