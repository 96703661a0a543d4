/**
 * The files generated from the config schema, with what each should hold: the editor's JSON Schema
 * and the README's configuration reference. `npm run generate` (scripts/generate.ts) writes them;
 * a test compares the committed files with `generatedFiles` and names the command when one is stale.
 */
import { CONFIG_SCHEMA_FILE, configJsonSchema } from './json-schema';
import { configReferenceMarkdown, withReference } from './reference';

/** The command that rewrites every generated file. */
export const GENERATE_COMMAND = 'npm run generate';

/** One generated file: its path from the repository root, and its content given the current one. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: (current: string | undefined) => string;
}

/** The JSON Schema as committed: two-space JSON and a final newline. */
export function configSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/** Every file generated from the schema. */
export const GENERATED_FILES: readonly GeneratedFile[] = [
  { path: CONFIG_SCHEMA_FILE, content: () => configSchemaText() },
  {
    path: 'README.md',
    content: (current) => {
      if (current === undefined) throw new Error('README.md is missing');
      return withReference(current, configReferenceMarkdown(configJsonSchema()));
    },
  },
];
