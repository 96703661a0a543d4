/** What a rewrite found and did, for the summary on stderr and for `--check`. */
import type { Resolution } from '../../core';

/** One image field the rewrite changed (or would change with `--check`). */
export interface ImageChange {
  /** Where: `Deployment default/web spec.template.spec.containers[0] (web)` or `controller.image`. */
  location: string;
  from: string;
  to: string;
}

/**
 * One image field left alone: no rule covers it, it is not a valid reference, (Helm values) it
 * shares `global.imageRegistry` with an image that cannot move, or (Helm values, Kustomize) ptc
 * cannot prove what the chart or kustomization renders from it.
 */
export interface ImageFinding {
  location: string;
  reference: string;
  /**
   * Why it was left alone (`pinned`: digest-pinned, kept upstream; `unsupported`: a Helm values or
   * kustomization shape whose rendering ptc cannot prove), or, for `unverified`, why a digest-pinned
   * image that was rewritten is reported: it is not known to be cached; `owned`: a manifest a
   * kustomization in the same run owns, left to its `images:` entries; `skipped`: a string that is
   * no image reference in an operator's or pipeline's own kind, left alone without failing the gate;
   * `unseen`: values a HelmRelease or Application names but does not hold (`valuesFrom`,
   * `valueFiles`), not read.
   */
  reason: 'uncovered' | 'invalid' | 'blocked' | 'pinned' | 'unverified' | 'unsupported' | 'owned' | 'skipped' | 'unseen';
  /** The explanation, for an invalid, blocked or unsupported reference. */
  message?: string;
}

/** The outcome of rewriting one text. */
export interface RewriteResult {
  /** The rewritten text (the input itself when nothing changed). */
  text: string;
  changes: ImageChange[];
  findings: ImageFinding[];
}

/** Resolves one reference; throws InvalidReferenceError. Usually `createResolver(ctx)`. */
export type Resolve = (ref: string) => Resolution;
