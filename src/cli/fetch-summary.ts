import { redactUrl } from '../util/redact.ts';
import type { ChannelReport } from '../ingest/index.ts';

/** One line per channel: key, outcome, counts or the error. */
export function formatFetchSummary(reports: ChannelReport[]): string {
  const width = Math.max(10, ...reports.map((r) => r.key.length));
  const lines = reports.map((r) => {
    const head = `${r.key.padEnd(width)}  ${r.status.padEnd(12)}`;
    if (r.error) return `${head}  ${r.error.code}: ${r.error.message}`;
    const parts = [`new ${r.newItems}`, `updated ${r.updatedItems}`];
    if (r.duplicates) parts.push(`duplicates ${r.duplicates}`);
    if (r.pruned) parts.push(`pruned ${r.pruned}`);
    if (r.pagesFetched) parts.push(`full text: ${r.pagesFetched} page${r.pagesFetched === 1 ? '' : 's'} fetched${r.pagesFailed ? `, ${r.pagesFailed} without an article` : ''}`);
    if (r.sameContent) parts.push(`same content under new guids ${r.sameContent}`);
    if (r.guidCollisions) parts.push(`guid collisions ${r.guidCollisions} (dropped)`);
    if (r.movedTo) parts.push(`moved to ${redactUrl(r.movedTo)}`);
    if (r.warnings?.length) parts.push(`recovered: ${r.warnings.join('; ')}`);
    return `${head}  ${parts.join(', ')}  (${r.ms} ms)`;
  });
  const failed = reports.filter((r) => r.status === 'error').length;
  lines.push(`${reports.length} channels, ${failed} failed, ${reports.reduce((n, r) => n + r.newItems, 0)} new items`);
  return lines.join('\n');
}
