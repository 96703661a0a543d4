import { InvalidReferenceError, createResolver } from '../../core';
import { resolveContext, type RegistryOptions } from '../rewrite/context';
import type { RegisterCommand } from './types';

/** Exit code when any reference is invalid. */
export const EXIT_INVALID_REFERENCE = 2;

/**
 * `ptc resolve [--config FILE] [--account ID] [--region R] [--strict] REF...`: prints the cache
 * URI of each reference, one line per valid input, in order. Uncovered references print
 * unchanged (or are errors with `--strict`, exit 1); invalid ones go to stderr and exit 2.
 */
export const registerResolve: RegisterCommand = (program, io, state) => {
  program
    .command('resolve')
    .description('print the pull-through-cache URI of each image reference')
    .argument('<ref...>', 'image references, such as nginx:1.27 or ghcr.io/org/app@sha256:...')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('--account <id>', "cache registry account (default: the config's target)")
    .option('--region <region>', "cache registry region (default: the config's target)")
    .option(
      '-e, --environment <name>',
      'the environment whose cache registry to use (default: the only one, or the top-level account/region)',
    )
    .option('--strict', 'treat references that no rule covers as errors')
    .action((refs: string[], opts: RegistryOptions & { strict?: boolean }) => {
      const resolve = createResolver(resolveContext(io, opts));
      let invalid = false;
      let uncovered = false;
      for (const ref of refs) {
        try {
          const resolution = resolve(ref);
          if (resolution.status === 'uncovered' && opts.strict) {
            uncovered = true;
            io.stderr(
              resolution.reason !== undefined
                ? `"${ref}" cannot go through the cache: ${resolution.reason}\n`
                : `no rule covers "${ref}" (registry ${resolution.reference.host})\n`,
            );
            continue;
          }
          io.stdout(`${resolution.output}\n`);
        } catch (err) {
          if (!(err instanceof InvalidReferenceError)) throw err;
          invalid = true;
          io.stderr(`${err.message}\n`);
        }
      }
      if (invalid) state.code = EXIT_INVALID_REFERENCE;
      else if (uncovered) state.code = 1;
    });
};
