/** The human summary of a rewrite, printed to stderr. */
import type { RewriteResult } from './types';

/** What one input file gave. */
export interface FileOutcome {
  file: string;
  result: RewriteResult;
}

/** Totals over every file. */
export interface RewriteTotals {
  changed: number;
  files: number;
  uncovered: number;
  invalid: number;
  /** Helm values: images left alone because `global.imageRegistry` could not move. */
  blocked: number;
  /** Digest-pinned images left upstream (`--digest-pinned upstream` or `prewarmed`). */
  pinned: number;
  /** Digest-pinned images rewritten that are not known to be cached (`--digest-pinned cache`). */
  unverified: number;
  /** Helm values and kustomizations: images whose rendering ptc cannot prove, left alone. */
  unsupported: number;
  /** Manifests left to the kustomization that owns them. */
  owned: number;
  /** Left alone without failing the gate: strings in operators' and pipelines' own kinds that are no image reference, Components nothing applies. */
  skipped: number;
  /** Values GitOps resources name but do not hold (`valuesFrom`, `valueFiles`), not read. */
  unseen: number;
}

/** Counts changes and findings over every file. */
export function totals(outcomes: readonly FileOutcome[]): RewriteTotals {
  const t: RewriteTotals = {
    changed: 0,
    files: 0,
    uncovered: 0,
    invalid: 0,
    blocked: 0,
    pinned: 0,
    unverified: 0,
    unsupported: 0,
    owned: 0,
    skipped: 0,
    unseen: 0,
  };
  for (const { result } of outcomes) {
    t.changed += result.changes.length;
    if (result.changes.length > 0) t.files++;
    for (const f of result.findings) t[f.reason]++;
  }
  return t;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The summary: each change and each image left alone, per file, then one line of totals.
 * @example
 * // deploy.yaml:
 * //   Deployment default/web [doc 1] spec.template.spec.containers[0] (web): nginx:1.27 -> 1111….amazonaws.com/docker-hub/library/nginx:1.27
 * // rewrote 1 image in 1 file
 */
export function renderSummary(outcomes: readonly FileOutcome[], mode: 'write' | 'check'): string {
  const lines: string[] = [];
  for (const { file, result } of outcomes) {
    if (result.changes.length === 0 && result.findings.length === 0) continue;
    lines.push(`${file}:`);
    for (const c of result.changes) lines.push(`  ${c.location}: ${c.from} -> ${c.to}`);
    for (const f of result.findings) {
      lines.push(
        f.reason === 'uncovered' && f.message === undefined
          ? `  ${f.location}: ${f.reference} left unchanged (no rule covers it)`
          : `  ${f.location}: ${f.message}`,
      );
    }
  }
  const t = totals(outcomes);
  const verb =
    mode === 'check'
      ? t.changed === 0
        ? 'nothing to rewrite'
        : `${plural(t.changed, 'image')} would change in ${plural(t.files, 'file')}`
      : `rewrote ${plural(t.changed, 'image')} in ${plural(t.files, 'file')}`;
  const extra = [
    t.uncovered > 0 ? `${t.uncovered} uncovered left unchanged` : '',
    t.invalid > 0 ? `${plural(t.invalid, 'invalid reference')}` : '',
    t.blocked > 0 ? `${t.blocked} held back by global.imageRegistry` : '',
    t.pinned > 0 ? `${t.pinned} digest-pinned left upstream` : '',
    t.unverified > 0 ? `${t.unverified} digest-pinned not known to be cached` : '',
    t.unsupported > 0 ? `${t.unsupported} not understood (left unchanged)` : '',
    t.owned > 0 ? `${plural(t.owned, 'manifest')} left to its kustomization` : '',
    t.skipped > 0 ? `${t.skipped} skipped (no workload's image)` : '',
    t.unseen > 0 ? `${plural(t.unseen, 'values reference')} not read` : '',
  ].filter((s) => s !== '');
  lines.push(extra.length === 0 ? verb : `${verb}; ${extra.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
