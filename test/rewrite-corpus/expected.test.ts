/**
 * Each chart fixture's EXPECTED.yaml (what the chart's templates render for its values, and what
 * ptc must do) and the transcription the corpus test runs (renders.ts) say the same thing.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CHARTS } from './renders';
import { mergeOverwrite, type Values } from './template';

const ROOT = path.join(__dirname, '..', 'fixtures', 'charts');

interface Expected {
  cases: { values: string; appVersion: string; images: { path: string; template: string; renders: string; ptc: string }[] }[];
}

describe.each([...new Set(CHARTS.map((c) => c.chart))])('%s/EXPECTED.yaml', (chart) => {
  const expected = parse(readFileSync(path.join(ROOT, chart, 'EXPECTED.yaml'), 'utf8')) as Expected;
  const cases = CHARTS.filter((c) => c.chart === chart);

  test('lists, per image, the template it was read from, the image the values render and the verdict', () => {
    expect(expected.cases).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      let values = parse(readFileSync(path.join(ROOT, c.chart, c.values), 'utf8'), { merge: true }) as Values;
      if (c.overlay !== undefined) values = mergeOverwrite(values, parse(c.overlay));
      const listed = expected.cases[i]!;
      expect(listed.appVersion).toBe(c.appVersion);
      expect(listed.images.map((x) => [x.path, x.template, x.renders, x.ptc])).toEqual(
        c.images.map((x) => [
          x.path,
          x.template,
          x.render(values, c.appVersion),
          `${x.verdict}${x.reported === true ? ' (and reported)' : ''}`,
        ]),
      );
    });
  });
});
