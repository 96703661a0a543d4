import type { CliIo } from '../../cli/io';

/** A CliIo that records what a command printed, for running the real CLI in process. */
export interface RecordingIo extends CliIo {
  out: string;
  err: string;
}

/** Builds a recording IO; `stdin` is what the command reads from standard input. */
export function recordingIo(options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): RecordingIo {
  const io: RecordingIo = {
    out: '',
    err: '',
    stdout: (text) => {
      io.out += text;
    },
    stderr: (text) => {
      io.err += text;
    },
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  return io;
}
