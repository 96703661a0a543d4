/**
 * Inputs that never end or are not files: `/dev/zero`, a FIFO with no writer, an endless pipe on
 * standard input, a /proc file whose size says 0. Every command reads through cli/io.ts, which
 * refuses what is not a regular file before reading a byte and stops at the size limit while reading.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { InputReadError, MAX_INPUT_BYTES, readInputFile, readStreamBounded } from '../../cli/io';
import { EXAMPLE, runPtc, tempDir } from './helpers';

const ONE_MIB = 1024 * 1024;

describe('commands given an input that is not a regular file', () => {
  // Bounded in time: before the bounded reader these ran until memory or string limits broke them.
  test.each([
    ['validate-config', ['validate-config', '/dev/zero'], 'config error: /dev/zero: is not a regular file (a character device)\n'],
    ['rewrite', ['rewrite', '-c', EXAMPLE, '/dev/zero'], 'cannot read /dev/zero: is not a regular file (a character device)\n'],
    [
      'prewarm --images',
      ['prewarm', '-c', EXAMPLE, '--images', '/dev/zero', '--registry-url', '127.0.0.1:9', '--insecure-http'],
      'prewarm image list /dev/zero: is not a regular file (a character device)\n',
    ],
    ['audit', ['audit', '-c', EXAMPLE, '/dev/zero'], '/dev/zero: is not a regular file (a character device)\n'],
  ])('%s /dev/zero is refused at once with one line', (_name, args, expected) => {
    const out = runPtc(args, { cwd: tempDir('zero'), timeoutMs: 30_000 });
    expect(out.stderr).toBe(expected);
    expect(out.status).toBe(1);
  });

  test('a FIFO with no writer is refused without blocking on open', () => {
    const dir = tempDir('fifo');
    execFileSync('mkfifo', [path.join(dir, 'ptc.yaml')]);
    const out = runPtc(['validate-config', 'ptc.yaml'], { cwd: dir, timeoutMs: 30_000 });
    expect(out.stderr).toBe('config error: ptc.yaml: is not a regular file (a pipe)\n');
    expect(out.status).toBe(1);
  });

  test('rewrite reading an endless standard input stops at the limit with one line', () => {
    const out = runPtc(['rewrite', '-c', EXAMPLE], { cwd: tempDir('stdin'), shell: 'exec < /dev/zero;', timeoutMs: 60_000 });
    expect(out.stderr).toBe(`<stdin>: is larger than ${MAX_INPUT_BYTES} bytes\n`);
    expect(out.status).toBe(1);
  });

  test('prewarm --images refuses a regular file one byte over 1 MiB, and reads one of exactly 1 MiB', () => {
    const dir = tempDir('images');
    const line = 'nginx:1.27\n';
    const exact = line.repeat(Math.floor(ONE_MIB / line.length)).padEnd(ONE_MIB, '#');
    writeFileSync(path.join(dir, 'over.txt'), `${exact}#`);
    const over = runPtc(['prewarm', '-c', EXAMPLE, '--images', 'over.txt', '--registry-url', '127.0.0.1:9', '--insecure-http'], {
      cwd: dir,
    });
    expect(over.stderr).toBe(`prewarm image list over.txt: is larger than ${ONE_MIB} bytes\n`);
    expect(over.status).toBe(1);
    writeFileSync(path.join(dir, 'exact.txt'), exact);
    expect(readInputFile('exact.txt', { cwd: dir, limit: ONE_MIB }).bytes.length).toBe(ONE_MIB);
  });
});

describe('the bounded reader', () => {
  test('stops a regular file that reports size 0 but holds more (a /proc file) while reading', () => {
    // /proc/self/maps is a regular file of size 0 whose content is several KB.
    expect(() => readInputFile('/proc/self/maps', { cwd: '/', limit: 100 })).toThrow(
      new InputReadError('/proc/self/maps', 'is larger than 100 bytes'),
    );
  });

  test('names a missing file by its errno code', () => {
    expect(() => readInputFile('nope.yaml', { cwd: tempDir('none'), limit: 10 })).toThrow(
      new InputReadError('nope.yaml', 'ENOENT', 'ENOENT'),
    );
  });

  test('an endless stream is destroyed as soon as it passes the limit', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    await expect(readStreamBounded(endless, ONE_MIB)).rejects.toThrow(`<stdin>: is larger than ${ONE_MIB} bytes`);
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(4 * ONE_MIB);
  });

  test('a stream within the limit is read whole, decoded as UTF-8', async () => {
    await expect(readStreamBounded(Readable.from([Buffer.from('ima'), Buffer.from('ge: ü')]), 100)).resolves.toBe('image: ü');
  });
});
