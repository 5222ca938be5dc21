import { DomHandler, DomUtils } from 'htmlparser2';

const VOID = new Set(['img', 'br', 'hr', 'source', 'wbr', 'input', 'meta', 'link']);

/**
 * Builds an HTML fragment as a DOM (htmlparser2's DomHandler) and serializes
 * it with dom-serializer, so text and attributes are always escaped by a
 * library rather than pasted into strings.
 */
export class HtmlBuilder {
  private readonly handler = new DomHandler();
  private done = false;
  private readonly stack: string[] = [];
  /** Serialized size so far, in UTF-8 bytes, ignoring escapes: lets callers stop at a target size without serializing. */
  bytes = 0;

  open(tag: string, attrs: Record<string, string> = {}): this {
    this.handler.onopentag(tag, attrs);
    this.stack.push(tag);
    this.bytes += tag.length + 2;
    for (const [k, v] of Object.entries(attrs)) this.bytes += k.length + Buffer.byteLength(v) + 4;
    return this;
  }

  close(): this {
    const tag = this.stack.pop();
    if (tag === undefined) throw new Error('HtmlBuilder: close() without open()');
    this.handler.onclosetag();
    if (!VOID.has(tag)) this.bytes += tag.length + 3;
    return this;
  }

  text(data: string): this {
    this.handler.ontext(data);
    this.bytes += Buffer.byteLength(data);
    return this;
  }

  /** `<tag attrs>text</tag>` in one call. */
  el(tag: string, attrs: Record<string, string>, text?: string): this {
    this.open(tag, attrs);
    if (text !== undefined) this.text(text);
    return this.close();
  }

  /** The serialized fragment; CJK stays UTF-8, only markup characters are escaped. */
  html(): string {
    if (this.stack.length) throw new Error(`HtmlBuilder: <${this.stack.at(-1)}> left open`);
    if (!this.done) {
      this.handler.onend();
      this.done = true;
    }
    return DomUtils.getOuterHTML(this.handler.root.children, { encodeEntities: 'utf8' });
  }
}
