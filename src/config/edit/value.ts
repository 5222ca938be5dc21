import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

// A value typed on the command line, read as YAML would read it after
// `key: `: `5` is a number, `true` a boolean, `[Porto, Benfica]` a list,
// `{items: 100}` a mapping. What YAML cannot read as one plain value (a cron
// expression such as `*/15 * * * *`, a `#` that would start a comment, a
// block) is the string as typed.

export interface TypedValue {
  /** What gets written: a YAML node (a flow list stays a flow list) or the string as typed. */
  value: unknown;
  /** The value was read as something else than the string typed (a number, a list…). */
  typed: boolean;
}

export function readValue(input: string): TypedValue {
  const doc = parseDocument(input);
  const node = doc.contents;
  const commented = doc.commentBefore || doc.comment || (node && (node.comment || node.commentBefore));
  if (doc.errors.length || doc.warnings.length || commented || !node || input.trim() === '') return { value: input, typed: false };
  if (isScalar(node)) return typeof node.value === 'string' && node.value === input ? { value: input, typed: false } : { value: node, typed: true };
  if ((isSeq(node) || isMap(node)) && node.flow) return { value: node, typed: true };
  return { value: input, typed: false };
}
