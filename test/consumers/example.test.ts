import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { consumersOf, parseConfigText } from '../../core';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');

/** config/example.yaml with its commented `consumers` block uncommented. */
function exampleWithConsumers(): string {
  const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
  const start = lines.indexOf('# consumers:');
  expect(start).toBeGreaterThan(0);
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('#')) break;
    block.push(line.replace(/^# ?/, ''));
  }
  return [...lines, ...block, ''].join('\n');
}

test('the commented consumers block of config/example.yaml is a valid config when uncommented', () => {
  const config = parseConfigText(exampleWithConsumers(), 'config/example.yaml');
  expect(consumersOf(config).map((c) => `${c.kind}:${c.name}`)).toEqual(['account:payments', 'organization:organization']);
});

test('the example as shipped lists no consumers (its block stays commented)', () => {
  expect(parseConfigText(readFileSync(EXAMPLE, 'utf8')).consumers).toBeUndefined();
});
