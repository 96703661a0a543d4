/**
 * `ptc audit --suggest-copies`: the audit's images that stay upstream (status `uncovered`) turned
 * into `copies` lines by core/copy/suggest.ts.
 */
import type { PtcConfig } from '../../core';
import { renderCopySuggestions, suggestCopies } from '../../core/copy/suggest';
import { parseReference } from '../../core/image-ref';
import type { AuditReport } from './report';

/** The suggestion as YAML (table format) or JSON. */
export function copySuggestionsOf(report: AuditReport, config: PtcConfig, format: 'table' | 'json'): string {
  const uncovered = report.images.filter((i) => i.status === 'uncovered').map((i) => parseReference(i.image));
  const suggestions = suggestCopies(config, uncovered);
  return format === 'json' ? `${JSON.stringify(suggestions, null, 2)}\n` : renderCopySuggestions(suggestions);
}
