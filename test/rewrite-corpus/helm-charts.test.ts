/**
 * The Helm corpus: real values files of widely used charts (test/fixtures/charts/<chart>, each
 * with its SOURCE), rewritten by `ptc rewrite --helm-values`, then rendered the way each chart's
 * templates render them (renders.ts, transcribed from the templates beside the values). Every
 * image must render exactly the resolver's answer for what the original values rendered, or be
 * left alone and reported.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { createReverser, formatReference, parseReference } from '../../core';
import { rewriteHelmValues, type RewriteResult } from '../../cli/rewrite';
import { CORPUS_CONFIG, REGISTRY } from '../image-ref/corpus';
import { resolve } from '../image-ref/helpers';
import { CHARTS, type ChartCase } from './renders';
import { mergeOverwrite, type Values } from './template';

const ROOT = path.join(__dirname, '..', 'fixtures', 'charts');
const reverse = createReverser({ config: CORPUS_CONFIG, registryHost: REGISTRY });

/** Helm reads values with YAML merge keys followed. */
const values = (text: string): Values => (parse(text, { merge: true }) ?? {}) as Values;
const normal = (ref: string): string => formatReference(parseReference(ref));

interface Run {
  source: string;
  result: RewriteResult;
  /** The values Helm renders with, before and after the rewrite. */
  before: Values;
  after: Values;
}

function run(c: ChartCase): Run {
  const chartValues = readFileSync(path.join(ROOT, c.chart, c.values), 'utf8');
  const source = c.overlay ?? chartValues;
  const result = rewriteHelmValues(source, resolve, c.values);
  const layer = (text: string): Values => (c.overlay === undefined ? values(text) : mergeOverwrite(values(chartValues), values(text)));
  return { source, result, before: layer(source), after: layer(result.text) };
}

describe.each(CHARTS.map((c) => [`${c.chart}${c.overlay === undefined ? '' : ' (with a derived overlay)'}`, c] as const))(
  '%s',
  (_name, c) => {
    const r = run(c);
    const reported = new Set(r.result.findings.map((f) => f.location));

    test.each(c.images.map((i) => [i.path, i] as const))(
      '%s renders what the resolver makes of the original, or is left alone and reported',
      (_p, image) => {
        const original = image.render(r.before, c.appVersion);
        const rewritten = image.render(r.after, c.appVersion);
        const isReported = [...reported].some((p) => p === image.path || p.startsWith(`${image.path}.`) || image.path.startsWith(`${p}.`));
        if (image.verdict === 'rewritten') {
          const expected = resolve(original);
          expect(expected.status).toBe('resolved');
          expect(normal(rewritten)).toBe(normal(expected.output));
          expect(isReported).toBe(image.reported === true);
        } else {
          expect(rewritten).toBe(original);
          expect(isReported).toBe(true);
          if (image.verdict === 'uncovered') expect(resolve(original).status).toBe('uncovered');
        }
      },
    );

    test('rewriting the rewritten values changes nothing', () => {
      const again = rewriteHelmValues(r.result.text, resolve);
      expect(again.changes).toEqual([]);
      expect(again.text).toBe(r.result.text);
    });

    test('--reverse renders the upstream images again', () => {
      const back = rewriteHelmValues(r.result.text, reverse);
      const restored =
        c.overlay === undefined
          ? values(back.text)
          : mergeOverwrite(values(readFileSync(path.join(ROOT, c.chart, c.values), 'utf8')), values(back.text));
      for (const image of c.images.filter((i) => i.verdict !== 'reported')) {
        expect(normal(image.render(restored, c.appVersion))).toBe(normal(image.render(r.before, c.appVersion)));
      }
    });

    test('only image keys change: every other value is the same', () => {
      const edited = new Set<string>();
      const walk = (a: unknown, b: unknown, at: string): void => {
        if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
          for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
            walk((a as Values)[k], (b as Values)[k], at === '' ? k : `${at}.${k}`);
        } else if (a !== b) edited.add(at);
      };
      walk(values(r.source), values(r.result.text), '');
      for (const key of edited) expect(key).toMatch(/(^|\.)(registry|repository|image|imageRegistry|hub|[a-zA-Z]*Image)$/);
    });
  },
);

test('the corpus holds at least 15 charts, each with its SOURCE', () => {
  const charts = new Set(CHARTS.map((c) => c.chart));
  expect(charts.size).toBeGreaterThanOrEqual(15);
  for (const chart of charts)
    expect(readFileSync(path.join(ROOT, chart, 'SOURCE'), 'utf8')).toMatch(/^repo: https:\/\/github\.com\/.+\ncommit: [0-9a-f]{40}\n/);
});
