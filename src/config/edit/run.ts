import { checkCurrent, checkResult } from './checks.ts';
import { Editor } from './editor.ts';
import type { EditResult } from './types.ts';

/**
 * One edit, checked like every other: the file must be valid before, `edit`
 * changes the editor's tree (and says what it did, one line per change), and
 * the result must load. An edit that changes nothing gives back the text as it was.
 */
export function runEdit(text: string, file: string, edit: (editor: Editor) => { changes: string[]; warnings?: string[] }): EditResult {
  const before = checkCurrent(text, file);
  const editor = new Editor(text);
  const { changes, warnings = [] } = edit(editor);
  if (!editor.splices.length && !editor.reformat) return { text, changes, warnings };
  const out = editor.finish(warnings);
  checkResult(out, file, before, warnings);
  return { text: out, changes, warnings };
}
