/**
 * The commit protocol of `--in-place` (cli/write-files.ts) against races a second writer causes
 * between our read and our write: a file deleted, replaced or edited meanwhile is refused and the
 * whole set is left as it was; a rename failing mid-commit names what was and was not written.
 */
import {
  chmodSync,
  chownSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { readInputFile } from '../../cli/io';
import { PartialCommitError, WriteFailedError, writeFilesAtomically, type PlannedWrite } from '../../cli/write-files';
import { tempDir } from './helpers';

function planned(dir: string, name: string, text: string): PlannedWrite {
  const read = readInputFile(name, { cwd: dir, limit: 1024 * 1024 });
  return { file: name, path: path.join(dir, name), originalBytes: read.bytes, originalStat: read.stat, text };
}

function setUp(): { dir: string; a: PlannedWrite; b: PlannedWrite } {
  const dir = tempDir('commit');
  writeFileSync(path.join(dir, 'a.yaml'), 'image: nginx\n');
  writeFileSync(path.join(dir, 'b.yaml'), 'image: redis\n');
  return { dir, a: planned(dir, 'a.yaml', 'image: NEW-a\n'), b: planned(dir, 'b.yaml', 'image: NEW-b\n') };
}

const contents = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]),
  );

describe('writeFilesAtomically', () => {
  test('replaces every file, keeping mode and owner, and leaves no temporary file', () => {
    const { dir, a, b } = setUp();
    chmodSync(path.join(dir, 'a.yaml'), 0o640);
    chownSync(path.join(dir, 'a.yaml'), 65534, 65534);
    const again = planned(dir, 'a.yaml', a.text);
    writeFilesAtomically([again, b]);
    expect(contents(dir)).toEqual({ 'a.yaml': 'image: NEW-a\n', 'b.yaml': 'image: NEW-b\n' });
    const st = statSync(path.join(dir, 'a.yaml'));
    expect(st.mode & 0o7777).toBe(0o640);
    expect([st.uid, st.gid]).toEqual([65534, 65534]);
  });

  test('a file deleted after it was read is refused and not re-created; the other file is left as it was', () => {
    const { dir, a, b } = setUp();
    expect(() => writeFilesAtomically([a, b], { beforeCheck: () => unlinkSync(b.path) })).toThrow(
      new WriteFailedError('b.yaml', 'deleted since it was read; not re-created'),
    );
    expect(contents(dir)).toEqual({ 'a.yaml': 'image: nginx\n' });
  });

  test('an edit of the same size made after the read is refused and kept; the other file is left as it was', () => {
    const { dir, a, b } = setUp();
    const st = statSync(b.path);
    const edit = () => {
      writeFileSync(b.path, 'image: REDIS\n');
      // Even with the time stamp put back, the bytes tell the edit apart.
      utimesSync(b.path, st.atime, st.mtime);
    };
    expect(() => writeFilesAtomically([a, b], { beforeCheck: edit })).toThrow(
      'cannot write b.yaml: changed since it was read; not overwritten; no file was changed',
    );
    expect(contents(dir)).toEqual({ 'a.yaml': 'image: nginx\n', 'b.yaml': 'image: REDIS\n' });
  });

  test('a file replaced by another after the read (an editor saving by rename) is refused', () => {
    const { dir, a, b } = setUp();
    const swap = () => {
      writeFileSync(path.join(dir, 'saved'), 'image: redis\n');
      renameSync(path.join(dir, 'saved'), b.path);
    };
    expect(() => writeFilesAtomically([a, b], { beforeCheck: swap })).toThrow(
      'cannot write b.yaml: replaced since it was read; not overwritten; no file was changed',
    );
    expect(contents(dir)).toEqual({ 'a.yaml': 'image: nginx\n', 'b.yaml': 'image: redis\n' });
  });

  test('a rename failing mid-commit names the file rewritten and the files left as they were', () => {
    const { dir, a, b } = setUp();
    writeFileSync(path.join(dir, 'c.yaml'), 'image: c\n');
    const c = planned(dir, 'c.yaml', 'image: NEW-c\n');
    // Remove b's prepared temporary file right before its rename: the rename fails with ENOENT.
    const sabotage = (file: string) => {
      if (file !== 'b.yaml') return;
      for (const f of readdirSync(dir)) if (f.startsWith('.b.yaml.ptc-')) unlinkSync(path.join(dir, f));
    };
    let caught: unknown;
    try {
      writeFilesAtomically([a, b, c], { beforeRename: sabotage });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PartialCommitError);
    expect((caught as Error).message).toBe('cannot write b.yaml: ENOENT; already rewritten: a.yaml; unchanged: b.yaml, c.yaml');
    expect(contents(dir)).toEqual({ 'a.yaml': 'image: NEW-a\n', 'b.yaml': 'image: redis\n', 'c.yaml': 'image: c\n' });
  });

  test('a symbolic link stays a link and its target gets the new content', () => {
    const dir = tempDir('link');
    writeFileSync(path.join(dir, 'real.yaml'), 'image: nginx\n');
    symlinkSync('real.yaml', path.join(dir, 'link.yaml'));
    writeFilesAtomically([planned(dir, 'link.yaml', 'image: NEW\n')]);
    expect(lstatSync(path.join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dir, 'link.yaml'))).toBe('real.yaml');
    expect(readFileSync(path.join(dir, 'real.yaml'), 'utf8')).toBe('image: NEW\n');
  });
});
