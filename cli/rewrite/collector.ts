/**
 * Resolves the references a rewrite meets (each distinct one once) and records the edits,
 * changes and findings.
 */
import { isAlias, isScalar, type Document, type Node, type Scalar } from 'yaml';
import { InvalidReferenceError, pinnedReason, type Resolution } from '../../core';
import { scalarEdit, type SourceEdit } from './edits';
import type { ImageChange, ImageFinding, Resolve } from './types';

const TEMPLATE = /\{\{|\$[({]/;

/** Collects what one rewrite does. */
export class RewriteCollector {
  readonly edits: SourceEdit[] = [];
  readonly changes: ImageChange[] = [];
  readonly findings: ImageFinding[] = [];
  private readonly memo = new Map<string, Resolution | InvalidReferenceError>();

  constructor(private readonly resolve: Resolve) {}

  /**
   * Resolves a reference, remembering the answer; records a finding when it is left alone.
   * Templated values are skipped without a finding. `onInvalid` turns an invalid reference into
   * another finding (an operator's own kind reports it as skipped, not invalid).
   */
  lookup(reference: string, location: string, onInvalid?: (message: string) => ImageFinding): Resolution | undefined {
    // A template (Kyverno/Argo `{{ … }}`, Tekton `$(…)`, `${…}`) is filled in later by its tool.
    if (TEMPLATE.test(reference)) return undefined;
    let result = this.memo.get(reference);
    if (result === undefined) {
      try {
        result = this.resolve(reference);
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        result = err;
      }
      this.memo.set(reference, result);
    }
    if (result instanceof InvalidReferenceError) {
      this.findings.push(onInvalid?.(result.message) ?? { location, reference, reason: 'invalid', message: result.message });
      return undefined;
    }
    if (result.status === 'uncovered') {
      const finding: ImageFinding = { location, reference, reason: 'uncovered' };
      if (result.reason !== undefined) finding.message = `${reference} left unchanged: ${result.reason}`;
      this.findings.push(finding);
    }
    if (result.status === 'pinned')
      this.findings.push({ location, reference, reason: 'pinned', message: `${reference} ${pinnedReason(result)}` });
    if (result.status === 'resolved' && result.digestCached === false) {
      this.findings.push({ location, reference, reason: 'unverified', message: `${reference} rewritten, but ${pinnedReason(result)}` });
    }
    return result;
  }

  /** Records a new value for a scalar (`source` is the text its range points into, `offset` where that text starts). */
  set(node: Scalar, value: string, source: string, offset: number, change?: ImageChange): void {
    const edit = scalarEdit(node, value, source);
    this.edits.push({ start: edit.start + offset, end: edit.end + offset, text: edit.text });
    if (change !== undefined) this.changes.push(change);
  }
}

/** The scalar behind a node (following an alias), or undefined for anything else. */
export function scalarOf(node: unknown, doc: Document): Scalar | undefined {
  const target = isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
  return isScalar(target) && target.range !== undefined && target.range !== null ? target : undefined;
}

/** The string value of a scalar node, or undefined when it is not a non-empty string or number. */
export function stringOf(node: Scalar | undefined): string | undefined {
  if (node === undefined) return undefined;
  const value = node.value;
  if (typeof value === 'string') return value === '' ? undefined : value;
  return undefined;
}
