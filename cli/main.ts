/**
 * The `ptc` command line: plans, validates and rewrites image references, and runs the same code
 * the Lambdas run, from a workstation.
 */
import { Command, CommanderError } from 'commander';
import { PtcError } from '../core';
import { COMMANDS } from './commands';
import { processIo, standardOutputFailure, type CliIo, type ExitCode } from './io';

/** Thrown by a command to end with a given exit code after it printed what it had to say. */
export class ExitWith extends Error {
  constructor(readonly code: ExitCode) {
    super(`exit ${code}`);
  }
}

/** Builds the program with every command registered. Each command records its exit code in `state`. */
export function buildProgram(io: CliIo, state: { code: ExitCode }): Command {
  const program = new Command('ptc')
    .description('ptc-autopilot: Amazon ECR pull-through cache, configured once and kept right')
    .version(require('../package.json').version as string)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const register of COMMANDS) register(program, io, state);
  return program;
}

/**
 * Runs the CLI and returns its exit code. Known errors print their message alone; an
 * unexpected error prints its message and a hint, never a stack trace unless PTC_DEBUG is set.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  const state = { code: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    const failure = standardOutputFailure();
    if (failure !== undefined) {
      io.stderr(`ptc: cannot write to standard output (${failure})\n`);
      return state.code || 1;
    }
    return state.code;
  } catch (err) {
    if (err instanceof ExitWith) return err.code;
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : err.exitCode || 1;
    }
    if (err instanceof PtcError) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`ptc: ${message}\n`);
    if (io.env.PTC_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  // As in bin/ptc.js: the AWS SDK's documented opt-out of its Node-version warning.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
