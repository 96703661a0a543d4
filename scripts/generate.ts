/**
 * `npm run generate`: rewrites the files generated from the config schema (core/config/generated.ts):
 * schema/ptc-config.schema.json, the JSON Schema editors read, and the configuration reference in
 * README.md between its markers. test/core/generated.test.ts fails when either is stale.
 *
 * Usage: tsx scripts/generate.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GENERATED_FILES } from '../core/config/generated';

const ROOT = path.join(__dirname, '..');

for (const file of GENERATED_FILES) {
  const at = path.join(ROOT, file.path);
  const current = existsSync(at) ? readFileSync(at, 'utf8') : undefined;
  const next = file.content(current);
  if (next === current) {
    console.error(`${file.path}: up to date`);
    continue;
  }
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, next);
  console.error(`${file.path}: written`);
}
