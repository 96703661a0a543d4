/**
 * The CLI's view of the outside world: streams, files and the environment. Commands write through
 * it, so tests run the real CLI in process and read what it printed; every command reads its input
 * files and standard input through the one bounded reader here, so no input can grow memory
 * without bound (`/dev/zero`, a FIFO, a runaway pipe).
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, constants as fsConstants, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { ConfigError, parseConfigText, PtcError, truncate, type PtcConfig } from '../core';

/** Streams and settings a command may use. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Reads all of standard input, refusing more than `limit` bytes (`InputReadError`).
   * @default limit MAX_INPUT_BYTES
   */
  readStdin: (limit?: number) => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A command's outcome: the process exit code. */
export type ExitCode = number;

/** The most a manifest, values file or pod listing may hold (64 MiB). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** The most a config file may hold (8 MiB; the largest real configs are a few KB). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
/** The name error messages use for standard input. */
export const STDIN_NAME = '<stdin>';

/** An input that cannot be read: missing, not a regular file, or larger than its limit. */
export class InputReadError extends PtcError {
  constructor(
    /** The file as the user named it, or `<stdin>`. */
    readonly file: string,
    /** Why, such as `ENOENT`, `is not a regular file (a character device)`, `is larger than 1048576 bytes`. */
    readonly reason: string,
    /** The errno code when the system refused, such as `ENOENT` or `EISDIR`. */
    readonly code?: string,
  ) {
    super(`${truncate(file, 200)}: ${reason}`);
  }
}

/** What `readInputFile` read: the text, the exact bytes, and the file's status when it was opened. */
export interface InputFile {
  readonly text: string;
  readonly bytes: Buffer;
  readonly stat: Stats;
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a pipe';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

const tooLarge = (file: string, limit: number) => new InputReadError(file, `is larger than ${limit} bytes`);

/**
 * Reads a regular file, at most `limit` bytes. Refuses anything else (a device such as `/dev/zero`,
 * a FIFO, a directory) before reading a byte, and a file larger than `limit` by its size and again
 * while reading (it may grow meanwhile). Opening never blocks, even on a FIFO with no writer.
 *
 * @param file the name as given (used in errors); resolved against `cwd`.
 * @throws InputReadError
 * @example
 * readInputFile('ptc.yaml', { cwd: process.cwd(), limit: MAX_CONFIG_BYTES }).text
 */
export function readInputFile(file: string, options: { cwd: string; limit: number }): InputFile {
  const full = path.resolve(options.cwd, file);
  let fd: number;
  try {
    fd = openSync(full, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputReadError(file, code, code);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new InputReadError(file, `is not a regular file (${kindOf(stat)})`, stat.isDirectory() ? 'EISDIR' : undefined);
    if (stat.size > options.limit) throw tooLarge(file, options.limit);
    // One byte more than the limit tells a file that grew since fstat from one that is exactly at it.
    const buffer = Buffer.alloc(Math.min(options.limit, Math.max(stat.size, 64 * 1024)) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) throw tooLarge(file, options.limit);
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
        throw new InputReadError(file, code, code);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > options.limit) throw tooLarge(file, options.limit);
    const bytes = buffer.subarray(0, length);
    return { text: bytes.toString('utf8'), bytes, stat };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a stream to its end, refusing (and destroying the stream) as soon as it passed `limit`
 * bytes, so an endless pipe costs at most `limit` bytes of memory.
 * @throws InputReadError
 */
export async function readStreamBounded(stream: Readable, limit: number, name: string = STDIN_NAME): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    length += buffer.length;
    if (length > limit) {
      stream.destroy();
      throw tooLarge(name, limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Why writing to standard output failed (other than its reader leaving), once it has. */
let outputFailure: string | undefined;

/**
 * The errno code of a failed write to standard output other than `EPIPE` (a full disk behind
 * `> file` is `ENOSPC`), or undefined. The CLI reports it in one line and exits 1.
 */
export function standardOutputFailure(): string | undefined {
  return outputFailure;
}

/**
 * A writer to a process stream that goes quiet once the reader has gone (`EPIPE`, as with
 * `ptc rewrite | head -c1`): what nobody reads is dropped, the command runs to its end and its exit
 * code stands, and no unhandled 'error' event prints a stack trace. Any other write error stops
 * the writer too and is kept for `standardOutputFailure`.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    closed = true;
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED' && stream === process.stdout) outputFailure ??= err.code ?? err.message;
  });
  return (text) => {
    if (!closed && !stream.destroyed) stream.write(text);
  };
}

let processStreams: { stdout: (text: string) => void; stderr: (text: string) => void } | undefined;

/** The real process's IO. */
export function processIo(): CliIo {
  processStreams ??= { stdout: quietOnClosedPipe(process.stdout), stderr: quietOnClosedPipe(process.stderr) };
  return {
    ...processStreams,
    readStdin: (limit = MAX_INPUT_BYTES) => readStreamBounded(process.stdin, limit),
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

/**
 * Loads the config a command was pointed at, through the bounded reader (at most
 * `MAX_CONFIG_BYTES`, regular files only). Throws `ConfigError` (printed without a stack).
 */
export function readConfig(io: CliIo, explicit?: string): PtcConfig {
  const file = configPath(io, explicit);
  let text: string;
  try {
    text = readInputFile(file, { cwd: io.cwd, limit: MAX_CONFIG_BYTES }).text;
  } catch (err) {
    if (!(err instanceof InputReadError)) throw err;
    const reason =
      err.code === 'ENOENT'
        ? 'file not found'
        : err.code === 'EISDIR'
          ? 'is a directory'
          : err.code !== undefined
            ? `cannot read (${err.code})`
            : err.reason;
    throw new ConfigError([{ path: '', message: `${file}: ${reason}` }], file);
  }
  return parseConfigText(text, file);
}
