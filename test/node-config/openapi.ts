/**
 * A structural check of a value against a CRD's OpenAPI v3 schema (the subset Kubernetes CRDs
 * use: type, properties, required, items, enum, additionalProperties, maxItems/minItems,
 * x-kubernetes-preserve-unknown-fields). Unknown fields are errors, as the API server's strict
 * field validation reports them. CEL rules (x-kubernetes-validations) are not evaluated.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The part of an OpenAPI v3 schema node the check reads. */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  enum?: unknown[];
  additionalProperties?: boolean | SchemaNode;
  maxItems?: number;
  minItems?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** The openAPIV3Schema of version `version` of a CRD file. */
export function crdSchema(file: string, version: string): SchemaNode {
  const crd = parse(readFileSync(file, 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[] } };
  const found = crd.spec.versions.find((v) => v.name === version);
  if (found === undefined) throw new Error(`${file} has no version ${version}`);
  return found.schema.openAPIV3Schema;
}

/** Every way `value` breaks `schema`, as `path: problem` lines; empty when it conforms. */
export function schemaErrors(value: unknown, schema: SchemaNode, at = ''): string[] {
  const errors: string[] = [];
  const where = at || '(root)';
  if (schema.enum !== undefined && !schema.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: expected an object`];
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${where}: missing required ${key}`);
      for (const [key, child] of Object.entries(record)) {
        const sub = schema.properties?.[key];
        if (sub !== undefined) errors.push(...schemaErrors(child, sub, `${at}.${key}`));
        else if (typeof schema.additionalProperties === 'object') errors.push(...schemaErrors(child, schema.additionalProperties, `${at}.${key}`));
        else if (schema.additionalProperties !== true && !schema['x-kubernetes-preserve-unknown-fields'] && schema.properties !== undefined) errors.push(`${where}: unknown field ${key}`);
      }
      return errors;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${where}: expected an array`];
      if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${where}: more than ${schema.maxItems} items`);
      if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${where}: fewer than ${schema.minItems} items`);
      value.forEach((item, i) => schema.items && errors.push(...schemaErrors(item, schema.items, `${at}[${i}]`)));
      return errors;
    case 'string':
      return typeof value === 'string' ? errors : [...errors, `${where}: expected a string`];
    case 'boolean':
      return typeof value === 'boolean' ? errors : [...errors, `${where}: expected a boolean`];
    case 'integer':
      return Number.isInteger(value) ? errors : [...errors, `${where}: expected an integer`];
    default:
      return errors;
  }
}
