/**
 * The JSON Schema of the configuration file, generated from the zod schema (`configShape`) for
 * editors: the YAML language server reads it through the `# yaml-language-server: $schema=...`
 * line that config/example.yaml carries. `ptc schema` prints it; `npm run generate` writes it to
 * schema/ptc-config.schema.json, and a test fails when that file is stale.
 *
 * It describes what a user writes (zod's input side): defaults are documented, never required.
 * Checks that read one field against another (`./validate`) have no JSON Schema form; `ptc
 * validate-config` runs them.
 */
import * as z from 'zod/mini';
import { configShape } from './schema';
import { consumersSchema, CONSUMERS_FORMS } from '../consumers/schema';

/** Where the generated schema is committed, relative to the repository root. */
export const CONFIG_SCHEMA_FILE = 'schema/ptc-config.schema.json';

/** The JSON Schema document, as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** JSON Schema of one zod schema, the input side, without its `$schema` line. */
function inputSchema(schema: z.ZodMiniType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      // `consumers` is read by a transform that takes either spelling; document both.
      if (ctx.zodSchema === consumersSchema) {
        const { description } = ctx.jsonSchema;
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key];
        Object.assign(ctx.jsonSchema, { ...(description !== undefined ? { description } : {}), anyOf: CONSUMERS_FORMS.map(inputSchema) });
      }
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/**
 * The configuration's JSON Schema (draft 2020-12).
 * @example
 * JSON.stringify(configJsonSchema(), null, 2) // what `ptc schema` prints
 */
export function configJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/ptc-autopilot/ptc-autopilot/schema/ptc-config.schema.json',
    title: 'ptc-autopilot configuration',
    description:
      'One YAML file describes every cache of an account (config/example.yaml is a complete example). `ptc validate-config FILE` runs every check, including those across fields.',
    ...inputSchema(configShape),
  };
}
