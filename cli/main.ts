/**
 * The `ptc` command line: plans, validates and rewrites image references, and runs the same code
 * the Lambdas run, from a workstation.
 */
import { Command, CommanderError } from 'commander';
import { PtcError } from '../core';
import { loadCommands } from './commands';
import type { RegisterCommand } from './commands/types';
import { processIo, type CliIo, type ExitCode } from './io';

/** Thrown by a command to end with a given exit code after it printed what it had to say. */
export class ExitWith extends Error {
  constructor(readonly code: ExitCode) {
    super(`exit ${code}`);
  }
}

/**
 * Builds the program with the given commands registered (every command unless `registers` says
 * otherwise; see `loadCommands`). Each command records its exit code in `state`.
 */
export async function buildProgram(io: CliIo, state: { code: ExitCode }, registers?: readonly RegisterCommand[]): Promise<Command> {
  const program = new Command('ptc')
    .description('ptc-autopilot: Amazon ECR pull-through cache, configured once and kept right')
    .version(require('../package.json').version as string)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const register of registers ?? (await loadCommands([]))) register(program, io, state);
  return program;
}

/**
 * Runs the CLI and returns its exit code. Known errors print their message alone; an
 * unexpected error prints its message and a hint, never a stack trace unless PTC_DEBUG is set.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  const state = { code: 0 };
  const program = await buildProgram(io, state, await loadCommands(argv));
  try {
    await program.parseAsync([...argv], { from: 'user' });
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
