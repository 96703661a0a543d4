/**
 * How each corpus chart renders its images from its values, transcribed from the chart's own
 * templates (the file and line are given with each; the fixture folder holds verbatim copies of
 * those templates). This is the truth the rewrite is measured against, written without ptc:
 * it reads plain values the way the template does and returns the image string Helm would print.
 */
import { APP_CHARTS } from './renders-apps';
import { INFRA_CHARTS } from './renders-infra';
import type { ChartCase } from './render-types';

export type { ChartCase, RenderedImage, Verdict } from './render-types';

/** The corpus. */
export const CHARTS: ChartCase[] = [...INFRA_CHARTS, ...APP_CHARTS];
