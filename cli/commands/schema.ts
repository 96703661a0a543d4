import { configSchemaText } from '../../core/config/generated';
import type { RegisterCommand } from './types';

/** `ptc schema`: prints the config's JSON Schema, for editors (the YAML language server) and CI checks. */
export const registerSchema: RegisterCommand = (program, io) => {
  program
    .command('schema')
    .description('print the JSON Schema of the config file (draft 2020-12), for editors: "# yaml-language-server: $schema=<file>"')
    .action(() => {
      io.stdout(configSchemaText());
    });
};
