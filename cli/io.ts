/**
 * The CLI's view of the outside world: streams and the environment. Commands write through it,
 * so tests run the real CLI in process and read what it printed.
 */
import { existsSync } from 'node:fs';
import { loadConfig, type PtcConfig } from '../core';

/** Streams and settings a command may use. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input. */
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A command's outcome: the process exit code. */
export type ExitCode = number;

/** The real process's IO. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The config file names tried, in order, when `--config` is not given. */
export const DEFAULT_CONFIG_FILES = ['ptc.yaml', 'ptc.yml'] as const;

/**
 * Picks the config file: `--config`, then `$PTC_CONFIG`, then `ptc.yaml`/`ptc.yml` in the
 * working directory.
 */
export function configPath(io: CliIo, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  const fromEnv = io.env.PTC_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  for (const name of DEFAULT_CONFIG_FILES) {
    if (existsSync(`${io.cwd}/${name}`)) return `${io.cwd}/${name}`;
  }
  return 'ptc.yaml';
}

/** Loads the config a command was pointed at. Throws `ConfigError` (printed without a stack). */
export function readConfig(io: CliIo, explicit?: string): PtcConfig {
  return loadConfig(configPath(io, explicit));
}
