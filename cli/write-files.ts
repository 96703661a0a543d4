/**
 * Writing files back in place without ever losing one: each new content goes to a temporary file
 * in the same directory, is flushed to disk, gets the original's mode and owner, and only then
 * replaces the original with one `rename` (atomic on POSIX file systems). Over several files it is
 * all-or-nothing up to the commit: every temporary file is prepared, and every original checked
 * unchanged since it was read, before the first rename. See docs/workloads.md, "`--in-place`: never half a file".
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
  constants as fsConstants,
  type Stats,
} from 'node:fs';
import * as path from 'node:path';
import { PtcError, truncate } from '../core';

/** One file to replace: what was read from it, and its new content. */
export interface PlannedWrite {
  /** The name as the user gave it (for messages). */
  readonly file: string;
  /** The absolute path it was read from. */
  readonly path: string;
  /** The exact bytes read. */
  readonly originalBytes: Buffer;
  /** The file's status when it was read. */
  readonly originalStat: Stats;
  /** The content to write. */
  readonly text: string;
}

/** A file that could not be written; nothing of the whole set was changed. */
export class WriteFailedError extends PtcError {
  constructor(
    /** The file as the user named it. */
    readonly file: string,
    /** Why, such as `EFBIG`, `ENOSPC`, `changed since it was read`. */
    readonly reason: string,
  ) {
    super(`cannot write ${truncate(file, 200)}: ${reason}; no file was changed`);
  }
}

/** Some files were replaced and then one failed: says which hold the new content and which the old. */
export class PartialCommitError extends PtcError {
  constructor(
    /** Files replaced with their new content. */
    readonly written: readonly string[],
    /** The file whose rename failed, and why. */
    readonly failed: { readonly file: string; readonly reason: string },
    /** Files left with their original content. */
    readonly untouched: readonly string[],
  ) {
    const list = (files: readonly string[]) => (files.length === 0 ? 'none' : files.map((f) => truncate(f, 200)).join(', '));
    super(
      `cannot write ${truncate(failed.file, 200)}: ${failed.reason}; already rewritten: ${list(written)}; unchanged: ${list([failed.file, ...untouched])}`,
    );
  }
}

const errnoOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

interface Prepared {
  readonly write: PlannedWrite;
  /** The real path replaced (symbolic links are followed, so the link stays a link). */
  readonly target: string;
  readonly temp: string;
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Writes the temporary file beside the target, with the original's mode and owner, flushed to disk. */
function prepare(write: PlannedWrite): Prepared {
  let target: string;
  try {
    target = realpathSync(write.path);
  } catch (err) {
    throw new WriteFailedError(write.file, errnoOf(err) === 'ENOENT' ? 'deleted since it was read; not re-created' : errnoOf(err));
  }
  // A file its owner made read-only is a "do not change": a rename would replace it anyway (and
  // root passes any access check), so the owner's write bit is read, not access(W_OK).
  if ((write.originalStat.mode & 0o200) === 0) {
    throw new WriteFailedError(
      write.file,
      `it is read-only (mode ${(write.originalStat.mode & 0o7777).toString(8).padStart(4, '0')}); make it writable to rewrite it in place`,
    );
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.ptc-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    // O_EXCL: never follow or reuse a file someone placed there.
    fd = openSync(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  } catch (err) {
    throw new WriteFailedError(write.file, `cannot create a temporary file in ${truncate(path.dirname(target), 200)} (${errnoOf(err)})`);
  }
  const prepared = { write, target, temp };
  try {
    writeAll(fd, Buffer.from(write.text, 'utf8'));
    const { mode, uid, gid } = write.originalStat;
    const mine = fstatSync(fd);
    if (mine.uid !== uid || mine.gid !== gid) {
      try {
        fchownSync(fd, uid, gid);
      } catch (err) {
        throw new WriteFailedError(write.file, `cannot keep its owner ${uid}:${gid} (${errnoOf(err)})`);
      }
    }
    // After chown, which clears set-user-ID and set-group-ID bits.
    fchmodSync(fd, mode & 0o7777);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    discard(prepared);
    if (err instanceof WriteFailedError) throw err;
    throw new WriteFailedError(write.file, errnoOf(err));
  }
  closeSync(fd);
  return prepared;
}

function discard(prepared: Prepared): void {
  try {
    unlinkSync(prepared.temp);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
}

/**
 * Why the file at `write.path` is no longer what was read (deleted, replaced, edited), or
 * undefined when it is the same file with the same bytes.
 */
export function changedSinceRead(write: PlannedWrite): string | undefined {
  let now: Stats;
  try {
    now = lstatSync(realpathSync(write.path));
  } catch (err) {
    return errnoOf(err) === 'ENOENT' ? 'deleted since it was read; not re-created' : `cannot check it (${errnoOf(err)})`;
  }
  const then = write.originalStat;
  if (now.ino !== then.ino || now.dev !== then.dev) return 'replaced since it was read; not overwritten';
  if (now.size !== then.size || now.mtimeMs !== then.mtimeMs) return 'changed since it was read; not overwritten';
  // Same size and time stamp: compare the bytes, as an edit within the time stamp's granularity keeps both.
  let bytes: Buffer;
  try {
    bytes = readFileSync(write.path);
  } catch (err) {
    return `cannot check it (${errnoOf(err)})`;
  }
  return bytes.equals(write.originalBytes) ? undefined : 'changed since it was read; not overwritten';
}

function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, fsConstants.O_RDONLY);
  } catch {
    return; // the renames are done; a directory we cannot open for fsync still holds them
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems refuse fsync on a directory (EINVAL); the rename still happened.
    if (errnoOf(err) !== 'EINVAL') throw err;
  } finally {
    closeSync(fd);
  }
}

/** Points in `writeFilesAtomically` where tests inject a race or a fault. */
export interface WriteHooks {
  /** After every temporary file is prepared, before the originals are checked. */
  readonly beforeCheck?: () => void;
  /** Right before the rename that replaces `file` (the name as given). */
  readonly beforeRename?: (file: string) => void;
}

/**
 * Replaces every file of `writes` with its new text, or none of them.
 *
 * 1. Prepare: every new content is written to a temporary file beside its original, flushed, given
 *    the original's mode and owner. Any failure (a read-only file, disk full, file-size limit, read-only directory)
 *    removes the temporary files and throws `WriteFailedError`; no original was touched.
 * 2. Check: every original must be the very file read, with the same bytes; a file deleted,
 *    replaced or edited meanwhile throws `WriteFailedError` (nothing renamed, nothing re-created).
 * 3. Commit: one rename per file. Each is atomic; the set is not. Should a rename fail after others
 *    succeeded, `PartialCommitError` names the files rewritten and those left as they were.
 *
 * @param hooks points where tests inject a race or a fault (none in production).
 * @throws WriteFailedError, PartialCommitError
 */
export function writeFilesAtomically(writes: readonly PlannedWrite[], hooks: WriteHooks = {}): void {
  const prepared: Prepared[] = [];
  try {
    for (const write of writes) prepared.push(prepare(write));
    hooks.beforeCheck?.();
    for (const p of prepared) {
      const changed = changedSinceRead(p.write);
      if (changed !== undefined) throw new WriteFailedError(p.write.file, changed);
    }
  } catch (err) {
    for (const p of prepared) discard(p);
    throw err;
  }
  const written: string[] = [];
  for (const [i, p] of prepared.entries()) {
    try {
      hooks.beforeRename?.(p.write.file);
      renameSync(p.temp, p.target);
    } catch (err) {
      const rest = prepared.slice(i + 1);
      for (const q of [p, ...rest]) discard(q);
      if (written.length === 0) throw new WriteFailedError(p.write.file, errnoOf(err));
      throw new PartialCommitError(
        written,
        { file: p.write.file, reason: errnoOf(err) },
        rest.map((q) => q.write.file),
      );
    }
    written.push(p.write.file);
  }
  for (const dir of new Set(prepared.map((p) => path.dirname(p.target)))) syncDirectory(dir);
}
