/**
 * `ptc rewrite --in-place` under real disk faults: the kernel refuses the write (file-size limit,
 * read-only directory, full tmpfs) and the original file must come out byte for byte as it was.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE, manifestsOfSize, runPtc, tempDir } from './helpers';

const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const NOBODY = 65534;

beforeAll(() => {
  // One unconstrained run first, so tsx's compile cache exists and later runs under a limit write nothing but the rewrite.
  const dir = tempDir('warm');
  writeFileSync(path.join(dir, 'w.yaml'), manifestsOfSize(1));
  expect(runPtc(['rewrite', '-c', EXAMPLE, 'w.yaml'], { cwd: dir }).status).toBe(0);
});

describe('ptc rewrite --in-place under disk faults', () => {
  test('a file-size limit (ulimit -f) fails the write with one line and leaves the original byte for byte, with no temporary file left', () => {
    const dir = tempDir('efbig');
    const original = manifestsOfSize(200 * 1024);
    writeFileSync(path.join(dir, 'big.yaml'), original);
    // bash counts ulimit -f in 1024-byte blocks: the 200 KB rewrite cannot be written past 64 KB.
    const out = runPtc(['rewrite', '-c', EXAMPLE, '--in-place', 'big.yaml'], { cwd: dir, shell: 'ulimit -f 64;' });
    expect(out.signal).toBeNull(); // SIGXFSZ does not kill the process: the write fails with EFBIG
    expect(out.stderr).toBe('cannot write big.yaml: EFBIG; no file was changed\n');
    expect(out.status).toBe(1);
    expect(readFileSync(path.join(dir, 'big.yaml'), 'utf8')).toBe(original);
    expect(readdirSync(dir)).toEqual(['big.yaml']);
  });

  test('a read-only directory refuses the second file and leaves the first unrewritten too (all or nothing)', () => {
    const top = tempDir('rodir');
    chmodSync(top, 0o755);
    const open = path.join(top, 'open');
    const locked = path.join(top, 'locked');
    mkdirSync(open);
    mkdirSync(locked);
    const a = manifestsOfSize(1);
    writeFileSync(path.join(open, 'a.yaml'), a);
    writeFileSync(path.join(locked, 'b.yaml'), a);
    chownSync(open, NOBODY, NOBODY);
    chownSync(path.join(open, 'a.yaml'), NOBODY, NOBODY);
    chmodSync(locked, 0o555); // owned by root: the user cannot create, rename or write anything in it
    // Run as an unprivileged user: root would write through any permission.
    const out = runPtc(['rewrite', '-c', EXAMPLE, '--in-place', 'open/a.yaml', 'locked/b.yaml'], {
      cwd: top,
      uid: NOBODY,
      env: { HOME: open },
    });
    expect(out.stderr).toBe(`cannot write locked/b.yaml: cannot create a temporary file in ${locked} (EACCES); no file was changed\n`);
    expect(out.status).toBe(1);
    expect(readFileSync(path.join(open, 'a.yaml'), 'utf8')).toBe(a);
    expect(readFileSync(path.join(locked, 'b.yaml'), 'utf8')).toBe(a);
    expect(readdirSync(open)).toEqual(['a.yaml']);
  });

  test('a file its owner made read-only (0444) is refused with one line, even as root, and no file of the set is changed', () => {
    const dir = tempDir('rofile');
    const a = manifestsOfSize(1);
    writeFileSync(path.join(dir, 'a.yaml'), a);
    writeFileSync(path.join(dir, 'b.yaml'), a);
    chmodSync(path.join(dir, 'b.yaml'), 0o444);
    const out = runPtc(['rewrite', '-c', EXAMPLE, '--in-place', 'a.yaml', 'b.yaml'], { cwd: dir });
    expect(out.stderr).toBe(
      'cannot write b.yaml: it is read-only (mode 0444); make it writable to rewrite it in place; no file was changed\n',
    );
    expect(out.status).toBe(1);
    expect(readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(a);
    expect(readFileSync(path.join(dir, 'b.yaml'), 'utf8')).toBe(a);
    expect(statSync(path.join(dir, 'b.yaml')).mode & 0o7777).toBe(0o444);
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  test('the same two files as that user are both rewritten once the directory is writable (the refusal above was the directory)', () => {
    const top = tempDir('rwdir');
    chmodSync(top, 0o755);
    const dir = path.join(top, 'open');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.yaml'), manifestsOfSize(1));
    writeFileSync(path.join(dir, 'b.yaml'), manifestsOfSize(1));
    for (const f of ['', 'a.yaml', 'b.yaml']) chownSync(path.join(dir, f), NOBODY, NOBODY);
    const out = runPtc(['rewrite', '-c', EXAMPLE, '--in-place', 'open/a.yaml', 'open/b.yaml'], {
      cwd: top,
      uid: NOBODY,
      env: { HOME: dir },
    });
    expect(out.status).toBe(0);
    for (const f of ['a.yaml', 'b.yaml']) {
      expect(readFileSync(path.join(dir, f), 'utf8')).toContain(`image: ${R}/docker-hub/library/nginx:1.27`);
      expect(statSync(path.join(dir, f)).uid).toBe(NOBODY);
    }
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  test('a full tmpfs (ENOSPC) leaves the original byte for byte', () => {
    const mnt = tempDir('tmpfs');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      // The only case that needs a privilege the machine may not grant; the two above always run.
      console.warn(`skipped the full-tmpfs case: mount -t tmpfs refused (${(mounted.stderr || mounted.error?.message || '').trim()})`);
      return;
    }
    try {
      const original = manifestsOfSize(20 * 1024);
      writeFileSync(path.join(mnt, 'm.yaml'), original);
      // Fill what is left, so the rewrite (larger than the original) cannot fit even after a truncation would free the original.
      const filler = path.join(mnt, 'filler');
      writeFileSync(filler, '');
      for (let i = 0; i < 64; i++) {
        try {
          writeFileSync(filler, Buffer.alloc(1024), { flag: 'a' });
        } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
          break;
        }
      }
      const out = runPtc(['rewrite', '-c', EXAMPLE, '--in-place', 'm.yaml'], { cwd: mnt, env: { HOME: tempDir('home') } });
      expect(out.stderr).toBe('cannot write m.yaml: ENOSPC; no file was changed\n');
      expect(out.status).toBe(1);
      expect(readFileSync(path.join(mnt, 'm.yaml'), 'utf8')).toBe(original);
      expect(readdirSync(mnt).sort()).toEqual(['filler', 'm.yaml']);
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
