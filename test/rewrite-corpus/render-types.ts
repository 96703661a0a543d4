/** The shapes of the chart corpus's expected renders (renders.ts). */
import type { Values } from './template';

/** What ptc must do with an image of the fixture's values. */
export type Verdict =
  /** Rewritten: the chart renders the resolver's output from the rewritten values. */
  | 'rewritten'
  /** Left alone and reported as uncovered (no rule for its registry). */
  | 'uncovered'
  /** Left alone and reported as a shape ptc cannot prove. */
  | 'reported';

/** One image a chart renders. */
export interface RenderedImage {
  /** The values path the image is configured under (what ptc reports it as). */
  path: string;
  /** Template file (relative to the chart) and line. */
  template: string;
  /** The template expression, verbatim or abridged with `…`. */
  expression: string;
  render: (v: Values, appVersion: string) => string;
  verdict: Verdict;
  /**
   * A rewritten image that is also reported: its own keys are empty, so ptc says it cannot prove
   * it, while the value it inherits (argo-cd's `global.image`) was rewritten.
   */
  reported?: boolean;
}

/** One corpus chart. */
export interface ChartCase {
  /** Folder under test/fixtures/charts. */
  chart: string;
  /** The values file inside the folder. */
  values: string;
  /** The chart's appVersion (Chart.yaml, or where the release tool sets it). */
  appVersion: string;
  /** Values laid over the fixture's (a derived input, said so), or none. */
  overlay?: string;
  images: RenderedImage[];
}
