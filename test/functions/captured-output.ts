/**
 * Runs a Lambda handler (or what it calls) with stdout and stderr captured, the way the Powertools
 * logger and metrics write them, and gives back what was written, its JSON lines (log records and
 * EMF documents) and how the call ended. Both streams are restored whatever happens.
 */

/** What `captureOutput` saw. */
export interface CapturedOutput<T> {
  /** Everything written to stdout and stderr, in order. */
  readonly written: string;
  /** The written lines that are JSON objects, parsed. */
  readonly lines: Record<string, any>[];
  /** The call's value, when it returned. */
  readonly result?: T;
  /** Whether the call threw (then `error` is what it threw). */
  readonly failed: boolean;
  readonly error?: unknown;
}

export async function captureOutput<T>(run: () => Promise<T>): Promise<CapturedOutput<T>> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  let outcome: { result: T; failed: false } | { error: unknown; failed: true };
  try {
    outcome = { result: await run(), failed: false };
  } catch (error) {
    outcome = { error, failed: true };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const written = chunks.join('');
  return {
    ...outcome,
    written,
    lines: written
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>),
  };
}
