/**
 * The `ptc` command line: plans, validates and rewrites image references, and runs the same code
 * the Lambdas run, from a workstation.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { PtcError, truncate } from '../core';
import { loadCommands } from './commands';
import type { RegisterCommand } from './commands/types';
import { processIo, standardOutputFailure, type CliIo, type ExitCode } from './io';

/** The longest line of an error message the CLI prints (longer ones end in `...(N characters)`). */
export const MAX_ERROR_LINE_CHARS = 1000;
/** The most lines of one error message the CLI prints (a config error lists one issue a line). */
export const MAX_ERROR_LINES = 50;

/**
 * An error message as the CLI prints it, whatever it quotes: control characters escaped (`\u0000`,
 * `\r`), every line capped at `MAX_ERROR_LINE_CHARS`, at most `MAX_ERROR_LINES` lines. Messages of
 * `PtcError` keep their line breaks (one issue per line); any other error is printed on one line.
 * The last line of defence: the sources quote values with `core/quote` already.
 * @example
 * printableError(`bad "${'x'.repeat(5000)}"`, false) // 'bad "xxx...(5002 characters)'
 */
export function printableError(message: string, multiline: boolean): string {
  const lines = multiline ? message.split('\n') : [message];
  const kept = lines.slice(0, MAX_ERROR_LINES).map((line) => truncate(line, MAX_ERROR_LINE_CHARS));
  if (lines.length > MAX_ERROR_LINES) kept.push(`...and ${lines.length - MAX_ERROR_LINES} more lines`);
  return kept.join('\n');
}

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
    .version(version)
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
    // A failed write to standard output is reported by an 'error' event on a later tick (after the
    // promise chain that ran the command): let it arrive before deciding the exit code.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const failure = standardOutputFailure();
    if (failure !== undefined) {
      io.stderr(`ptc: cannot write to standard output (${failure})\n`);
      return state.code || 1;
    }
    return state.code;
  } catch (err) {
    if (err instanceof ExitWith) return err.code;
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
        ? 0
        : err.exitCode || 1;
    }
    if (err instanceof PtcError) {
      io.stderr(`${printableError(err.message, true)}\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`ptc: ${printableError(message, false)}\n`);
    if (io.env.PTC_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 1;
  }
}
