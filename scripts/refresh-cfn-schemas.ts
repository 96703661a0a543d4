/**
 * Refreshes test/fixtures/cfn-schemas from a git directory of aws-cloudformation/cfn-lint: the
 * CloudFormation registry schemas cfn-lint bundles (patterns, enums, lengths) for the resource types
 * the stack uses, in the Regions the AWS-truth harness deploys to, and which Regions have each type.
 *
 *   npx tsx scripts/refresh-cfn-schemas.ts GIT_DIR [COMMIT]
 *
 * GIT_DIR is a clone or bare mirror of https://github.com/aws-cloudformation/cfn-lint. COMMIT
 * defaults to the last commit that still keeps the schemas in the repository
 * (src/cfnlint/data/schemas/providers/<region>.py maps each type to
 * src/cfnlint/data/schemas/resources/<hash>.json); later commits download them at build time from
 * aws-cloudformation/resource-provider-enhanced-schemas instead. The types come from the `types` of
 * the current index.json (add one there to store it too); schema files are copied byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const REPOSITORY = 'https://github.com/aws-cloudformation/cfn-lint';
const DEFAULT_COMMIT = '602229535a34035f5b31c8d280e6c3773657e0f0';
const PROVIDERS = 'src/cfnlint/data/schemas/providers';
const RESOURCES = 'src/cfnlint/data/schemas/resources';
/** The Regions of the harness's stacks, whose schemas are stored (ap-south-1 and eu-west-1: its replica stacks). */
const SCHEMA_REGIONS = ['ap-south-1', 'eu-west-1', 'eu-west-2', 'us-east-1'];
const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'cfn-schemas');

const [gitDir, commitArg] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: npx tsx scripts/refresh-cfn-schemas.ts GIT_DIR [COMMIT]');
  process.exit(2);
}
const git = (...args: string[]): string =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const commit = git('rev-parse', `${commitArg ?? DEFAULT_COMMIT}^{commit}`).trim();

const previous = JSON.parse(readFileSync(path.join(OUT, 'index.json'), 'utf8')) as { types: string[] };
const types = [...previous.types].sort();

/** `"AWS::X::Y": "hash",` lines of one provider module. */
function typeHashes(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of git('show', `${commit}:${PROVIDERS}/${file}`).matchAll(/^\s*"([^"]+)": "([0-9a-f]+)",$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

const regionFiles = git('ls-tree', '--name-only', commit, `${PROVIDERS}/`)
  .split('\n')
  .map((p) => path.basename(p))
  .filter((f) => /^[a-z]+(_[a-z]+)+_\d+\.py$/.test(f));
const byRegion = new Map(regionFiles.map((f) => [f.replace(/\.py$/, '').replace(/_/g, '-'), typeHashes(f)]));

const availability: Record<string, string[]> = {};
for (const type of types)
  availability[type] = [...byRegion]
    .filter(([, hashes]) => hashes.has(type))
    .map(([region]) => region)
    .sort();

rmSync(path.join(OUT, 'schemas'), { recursive: true, force: true });
mkdirSync(path.join(OUT, 'schemas'), { recursive: true });
const schemas: Record<string, Record<string, string>> = {};
for (const region of SCHEMA_REGIONS) {
  const hashes = byRegion.get(region);
  if (!hashes) throw new Error(`${region}: no ${PROVIDERS}/${region.replace(/-/g, '_')}.py at ${commit}`);
  schemas[region] = {};
  for (const type of types) {
    const hash = hashes.get(type);
    if (!hash) continue; // not available there: the harness reports it
    schemas[region][type] = `schemas/${hash}.json`;
    writeFileSync(path.join(OUT, 'schemas', `${hash}.json`), git('show', `${commit}:${RESOURCES}/${hash}.json`));
  }
}

const index = {
  source: { repository: REPOSITORY, commit, providers: `${PROVIDERS}/<region>.py`, resources: `${RESOURCES}/<hash>.json` },
  types,
  availability,
  schemas,
};
writeFileSync(path.join(OUT, 'index.json'), `${JSON.stringify(index, null, 1)}\n`);
console.log(
  `cfn-schemas: ${types.length} types, ${readdirSync(path.join(OUT, 'schemas')).length} schema files, availability in ${byRegion.size} regions, from ${commit}`,
);
