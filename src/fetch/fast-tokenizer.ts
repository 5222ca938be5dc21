import { Tokenizer } from 'htmlparser2';

// htmlparser2's Tokenizer skips text, CDATA sections, attribute values and
// comments by testing one character at a time in JavaScript (fastForwardTo);
// profiling the reader on the bench corpus put a quarter of all parse time
// there, since feed bodies are long CDATA or text runs. This subclass does the
// same search with String.prototype.indexOf, which the engine runs natively:
// same positions, same events, several times faster on long runs.
//
// fastForwardTo is internal to htmlparser2 (private in its types), so the
// override is installed only when the method is there; should a release
// rename it, the stock tokenizer is used and only speed is lost. The parse,
// differential and hostile tests cover the events either way.

interface Internals {
  buffer: string;
  index: number;
  offset: number;
}

const CHAR = new Map<number, string>();

function fastForwardTo(this: Internals, c: number): boolean {
  let ch = CHAR.get(c);
  if (ch === undefined) CHAR.set(c, (ch = String.fromCharCode(c)));
  const at = this.buffer.indexOf(ch, this.index + 1 - this.offset);
  if (at !== -1) {
    this.index = at + this.offset;
    return true;
  }
  // As the original: the main loop increments the index past the buffer's end.
  this.index = this.buffer.length + this.offset - 1;
  return false;
}

class IndexOfTokenizer extends Tokenizer {}

const hasInternal = typeof (Tokenizer.prototype as unknown as { fastForwardTo?: unknown }).fastForwardTo === 'function';
if (hasInternal) Object.defineProperty(IndexOfTokenizer.prototype, 'fastForwardTo', { value: fastForwardTo, writable: true, configurable: true });

/** The tokenizer class to hand htmlparser2's Parser (its `Tokenizer` option). */
export const FeedTokenizer: typeof Tokenizer = hasInternal ? IndexOfTokenizer : Tokenizer;
