import type { Command } from 'commander';
import type { CliIo, ExitCode } from '../io';

/** Registers one `ptc` subcommand. Set `state.code` for a non-zero exit after printing. */
export type RegisterCommand = (program: Command, io: CliIo, state: { code: ExitCode }) => void;
