/**
 * Every resource of a synthesized template against the CloudFormation registry as its maintainers
 * publish it: the registry schemas cfn-lint bundles (test/fixtures/cfn-schemas, with Region
 * availability; SOURCE.md gives repository, commit and paths) for properties, required fields,
 * types, enums, patterns and lengths, and `@aws-cdk/aws-service-spec` (the npm package the CDK
 * generates its L1 classes from) for the property names, required properties and primitive types.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { isIntrinsic, validate, type JsonSchema } from './json-schema';
import type { CfnResource } from './synth';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const DIR = path.join(__dirname, '..', 'fixtures', 'cfn-schemas');

interface SchemaIndex {
  readonly types: string[];
  readonly availability: Record<string, string[]>;
  readonly schemas: Record<string, Record<string, string>>;
}

const index = JSON.parse(readFileSync(path.join(DIR, 'index.json'), 'utf8')) as SchemaIndex;
const loaded = new Map<string, JsonSchema>();
function schemaFile(file: string): JsonSchema {
  if (!loaded.has(file)) loaded.set(file, JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as JsonSchema);
  return loaded.get(file)!;
}

/** The resource types whose schemas are stored. */
export function storedSchemaTypes(): readonly string[] {
  return index.types;
}

/** The Regions whose registry lists `type` (cfn-lint's provider data). */
export function regionsWithType(type: string): readonly string[] | undefined {
  return index.availability[type];
}

let spec: ReturnType<typeof loadAwsServiceSpecSync> | undefined;
type SpecProperty = { type: { type: string }; required?: boolean };

function specFindings(logicalId: string, resource: CfnResource): string[] {
  spec ??= loadAwsServiceSpecSync();
  const found = spec.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
  if (found.length !== 1) return [`${logicalId}: ${resource.Type} is not in @aws-cdk/aws-service-spec`];
  const properties = (found[0] as unknown as { properties: Record<string, SpecProperty> }).properties;
  const given = (resource.Properties ?? {}) as Record<string, Json>;
  const out: string[] = [];
  for (const [name, p] of Object.entries(properties))
    if (p.required && !(name in given)) out.push(`${logicalId}.Properties: ${name} is required (aws-service-spec)`);
  for (const [name, value] of Object.entries(given)) {
    const p = properties[name];
    if (!p) {
      out.push(`${logicalId}.Properties.${name}: not a property of ${resource.Type} (aws-service-spec)`);
      continue;
    }
    if (isIntrinsic(value)) continue;
    const kind = p.type.type;
    const literalOk: Record<string, (v: Json) => boolean> = {
      string: (v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
      integer: (v) => Number.isInteger(Number(v)),
      number: (v) => !Number.isNaN(Number(v)),
      boolean: (v) => typeof v === 'boolean' || v === 'true' || v === 'false',
      array: (v) => Array.isArray(v),
      map: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
      ref: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
    };
    const ok = literalOk[kind];
    if (ok && !ok(value))
      out.push(`${logicalId}.Properties.${name}: ${JSON.stringify(value).slice(0, 80)} is not a ${kind} (aws-service-spec)`);
  }
  return out;
}

const DELETION_POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);
const UPDATE_REPLACE_POLICIES = new Set(['Delete', 'Retain', 'Snapshot']);

/** The problems of a template's resources in `region`, one line each (empty when it fits the registry). */
export function checkTemplateAgainstSchemas(resources: Record<string, CfnResource>, region: string): string[] {
  const out: string[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.DeletionPolicy !== undefined && !DELETION_POLICIES.has(resource.DeletionPolicy))
      out.push(`${logicalId}: DeletionPolicy ${resource.DeletionPolicy} is not one CloudFormation knows`);
    if (resource.UpdateReplacePolicy !== undefined && !UPDATE_REPLACE_POLICIES.has(resource.UpdateReplacePolicy))
      out.push(`${logicalId}: UpdateReplacePolicy ${resource.UpdateReplacePolicy} is not one CloudFormation knows`);
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') {
      if (!resource.Properties || !('ServiceToken' in resource.Properties)) out.push(`${logicalId}: a custom resource needs ServiceToken`);
      continue;
    }
    if (resource.Type === 'AWS::CDK::Metadata') continue;
    const regions = index.availability[resource.Type];
    if (!regions) {
      out.push(
        `${logicalId}: no stored registry schema for ${resource.Type} (add it to test/fixtures/cfn-schemas/index.json types and run scripts/refresh-cfn-schemas.ts)`,
      );
      continue;
    }
    if (!regions.includes(region)) {
      out.push(`${logicalId}: ${resource.Type} does not exist in ${region} (CloudFormation registry)`);
      continue;
    }
    const file = index.schemas[region]?.[resource.Type];
    if (!file) {
      out.push(`${logicalId}: no stored schema of ${resource.Type} for ${region} (run scripts/refresh-cfn-schemas.ts)`);
      continue;
    }
    const schema = schemaFile(file);
    const properties = (resource.Properties ?? {}) as Json;
    out.push(...validate(properties, schema, schema, `${logicalId}.Properties`));
    for (const pointer of (schema.readOnlyProperties as string[] | undefined) ?? []) {
      const name = pointer.replace(/^\/properties\//, '');
      if (!name.includes('/') && properties !== null && typeof properties === 'object' && name in properties)
        out.push(`${logicalId}.Properties.${name}: read-only, CloudFormation refuses it`);
    }
    out.push(...specFindings(logicalId, resource));
  }
  return out;
}
