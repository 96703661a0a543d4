/**
 * The files generated from the config schema stay equal to what the generator writes (each failure
 * names the command that fixes it), `ptc schema` prints the committed JSON Schema, and that schema,
 * read by a real validator (ajv, draft 2020-12), accepts config/example.yaml (its commented
 * consumers block included) and refuses what the config schema refuses field by field.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { run } from '../../cli/main';
import { GENERATE_COMMAND, GENERATED_FILES } from '../../core/config/generated';
import { CONFIG_SCHEMA_FILE } from '../../core/config/json-schema';
import { REFERENCE_END, REFERENCE_START } from '../../core/config/reference';
import { recordingIo } from '../cli/fake-io';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('generated files', () => {
  test.each(GENERATED_FILES.map((f) => [f.path, f] as const))('%s is what the generator writes', (file, generated) => {
    const committed = read(file);
    expect({ file, upToDate: committed === generated.content(committed), fix: GENERATE_COMMAND }).toEqual({
      file,
      upToDate: true,
      fix: GENERATE_COMMAND,
    });
  });

  test('the README holds the reference between its markers, once', () => {
    const readme = read('README.md');
    expect([readme.split(REFERENCE_START).length, readme.split(REFERENCE_END).length]).toEqual([2, 2]);
    expect(readme.slice(readme.indexOf(REFERENCE_START), readme.indexOf(REFERENCE_END))).toContain('| `rules[].upstream` |');
  });

  test('ptc schema prints the committed JSON Schema', async () => {
    const io = recordingIo();
    expect(await run(['schema'], io)).toBe(0);
    expect(io.out).toBe(read(CONFIG_SCHEMA_FILE));
  });
});

describe('the JSON Schema, read by ajv', () => {
  const validate = new Ajv2020({
    allErrors: true,
    strict: false,
    validateFormats: false /* format is an annotation in draft 2020-12 */,
  }).compile(JSON.parse(read(CONFIG_SCHEMA_FILE)) as object);
  const example = read('config/example.yaml');
  const errors = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));

  test('config/example.yaml names the schema on its first line, for the YAML language server', () => {
    expect(example.split('\n')[0]).toBe(`# yaml-language-server: $schema=../${CONFIG_SCHEMA_FILE}`);
  });

  test('accepts config/example.yaml', () => {
    expect(errors(parseYaml(example))).toEqual([]);
  });

  test('accepts config/example.yaml with its commented consumers block', () => {
    const lines = example.split('\n');
    const start = lines.indexOf('# consumers:');
    expect(start).toBeGreaterThan(0);
    const block = lines
      .slice(start)
      .filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('#')))
      .map((l) => l.replace(/^# ?/, ''));
    expect(errors(parseYaml([...lines, ...block, ''].join('\n')))).toEqual([]);
  });

  test.each([
    [
      'an unknown upstream',
      { rules: [{ prefix: 'k8s', upstream: 'dockerhub' }] },
      '/rules/0/upstream must be equal to one of the allowed values',
    ],
    ['a misspelt key', { rules: [{ prefix: 'k8s', upstream: 'k8s', prefx: 'x' }] }, '/rules/0 must NOT have additional properties'],
    [
      'a concurrency out of range',
      { rules: [{ prefix: 'k8s', upstream: 'k8s' }], prewarm: { concurrency: 65 } },
      '/prewarm/concurrency must be <= 64',
    ],
    ['no rules', { rules: [] }, '/rules must NOT have fewer than 1 items'],
  ])('refuses %s', (_name, doc, error) => {
    expect(errors({ account: '111122223333', region: 'eu-west-2', ...doc })).toContain(error);
  });
});
