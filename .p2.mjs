import { parseDocument, LineCounter } from 'yaml';
for (const c of process.argv.slice(2)) {
  const text = c.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  const lc = new LineCounter();
  const d = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  console.log(JSON.stringify(text));
  for (const e of d.errors) console.log('  ', e.code, e.pos, JSON.stringify(text.slice(e.pos[0], e.pos[1])), lc.linePos(e.pos[0]), e.message.split('\n')[0]);
}
