import { ContentReader } from '../store/sqlite/content-reader.ts';
import { serveJobs } from '../util/worker-serve.ts';
import { renderBatch, type RenderBatchInput, type RenderedArticle } from './render-batch.ts';

// One read-only connection per worker and state file, opened on first use.
const readers = new Map<string, ContentReader>();

serveJobs<RenderBatchInput, RenderedArticle[]>(async (input) => {
  let reader = readers.get(input.stateFile);
  if (!reader) readers.set(input.stateFile, (reader = new ContentReader(input.stateFile)));
  return renderBatch(input, reader.articleContent(input.rows.map((r) => r.id)));
});
