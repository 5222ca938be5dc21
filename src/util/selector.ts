import { compile } from 'css-select';
import type { AnyNode, Element } from 'domhandler';

// CSS selectors editors write (`remove:` rewrites), run with css-select on
// the htmlparser2 DOM refeed already parses bodies into. A selector is
// checked when the configuration is read, so a typo is a config error with
// css-select's own reason, never a failure on some item later.

/** A compiled selector: whether an element matches it. */
export type SelectorTest = (element: Element) => boolean;

/** Compiles `selector`; throws css-select's error when it cannot read it. */
export function compileSelector(selector: string): SelectorTest {
  return compile<AnyNode, Element>(selector);
}

/** Why css-select cannot read `selector`, or undefined when it can. */
export function selectorProblem(selector: string): string | undefined {
  if (!selector.trim()) return 'empty selector';
  try {
    compileSelector(selector);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
