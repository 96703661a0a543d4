/**
 * A CRD's OpenAPI v3 schema checked with ajv, as the API server's strict field validation would
 * check an object: the schema is the one its maintainers publish (copies with provenance in
 * test/fixtures/node-config/SOURCE), turned into JSON Schema by the two rules Kubernetes adds to
 * OpenAPI: an object with `properties` knows no other field (structural schemas prune unknown
 * fields; `kubectl apply --validate=strict` refuses them) unless it says
 * `x-kubernetes-preserve-unknown-fields`, and `x-kubernetes-*` / `format` keywords are Kubernetes'
 * own (ajv ignores them; formats such as `int-or-string` are not JSON Schema's). CEL rules
 * (`x-kubernetes-validations`) are not evaluated.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

/** The openAPIV3Schema of version `version` of a CRD file. */
export function crdSchema(file: string, version: string): Schema {
  const crd = parse(readFileSync(file, 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const found = crd.spec.versions.find((v) => v.name === version);
  if (found === undefined) throw new Error(`${file} has no version ${version}`);
  return found.schema.openAPIV3Schema;
}

/** The CRD schema as JSON Schema: closed objects where Kubernetes closes them. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' || k === 'default' || k === 'example' ? v : toJsonSchema(v);
  if (out.properties !== undefined && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true)
    out.additionalProperties = false;
  return out;
}

const where = (e: ErrorObject): string => e.instancePath.replace(/\//g, '.') || '(root)';

/** One line per problem (`.spec: unknown field mirrors`). */
function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties')
    return `${where(e)}: unknown field ${String((e.params as { additionalProperty: string }).additionalProperty)}`;
  return `${where(e)}: ${e.message ?? e.keyword}`;
}

/** A validator for objects of one CRD version: every way a value breaks the schema, empty when it conforms. */
export function crdValidator(file: string, version: string): (value: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(toJsonSchema(crdSchema(file, version)) as Schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map(describe));
}
