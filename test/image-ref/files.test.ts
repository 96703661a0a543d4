/**
 * Issue 11 "Files": non-UTF-8 and binary input is refused with one line naming the file, by
 * `rewrite` (with and without --in-place and --check) and `audit`; a UTF-8 BOM survives --in-place.
 * The inputs are made here from an invented one-Pod manifest: Latin-1 and UTF-16 by encoding it,
 * gzip with node's zlib, PNG as the 8-byte PNG signature and an IHDR chunk header (RFC 2083).
 */
import { isUtf8 } from 'node:buffer';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { run } from '../../cli/main';
import { firstInvalidUtf8 } from '../../cli/rewrite';
import { recordingIo } from '../cli/fake-io';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const POD = '# Café: équipe plateforme\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n';

const INPUTS: [string, Buffer, RegExp][] = [
  [
    'a Latin-1 comment',
    Buffer.from(POD, 'latin1'),
    /^pod\.yaml: is not UTF-8 text \(byte 0xE9 at offset 5, line 1\); ptc reads and writes UTF-8 only/,
  ],
  [
    'UTF-16 with a byte-order mark',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(POD, 'utf16le')]),
    /^pod\.yaml: is UTF-16 \(little-endian\) text; ptc reads UTF-8 only/,
  ],
  ['UTF-16 without a byte-order mark', Buffer.from(POD, 'utf16le'), /^pod\.yaml: is a binary file \(NUL byte at offset 1, line 1\)/],
  ['a gzip archive', gzipSync(Buffer.from(POD)), /^pod\.yaml: is a gzip archive, not a YAML or JSON text file\n$/],
  ['a PNG image', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /^pod\.yaml: is a PNG image, not a YAML or JSON text file\n$/],
];

function tempFile(bytes: Buffer): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-files-')), 'pod.yaml');
  writeFileSync(file, bytes);
  return file;
}

describe('input that is not UTF-8 text', () => {
  test.each(INPUTS)('%s: rewrite --in-place refuses it in one line and leaves the file as it was', async (_what, bytes, message) => {
    const file = tempFile(bytes);
    const io = recordingIo({ cwd: path.dirname(file) });
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', 'pod.yaml'], io)).toBe(1);
    expect(io.err).toMatch(message);
    expect(io.err.split('\n')).toHaveLength(2);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  test.each(INPUTS)('%s: rewrite --check does not pass it', async (_what, bytes, message) => {
    const file = tempFile(bytes);
    const io = recordingIo({ cwd: path.dirname(file) });
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', 'pod.yaml'], io)).not.toBe(0);
    expect(io.err).toMatch(message);
  });

  test.each(INPUTS)('%s: audit refuses it too', async (_what, bytes, message) => {
    const file = tempFile(bytes);
    const io = recordingIo({ cwd: path.dirname(file) });
    expect(await run(['audit', '-c', EXAMPLE, 'pod.yaml'], io)).toBe(1);
    expect(io.err).toMatch(message);
    expect(io.out).toBe('');
  });

  test('standard input holding replacement or NUL characters is refused, naming standard input', async () => {
    const lossy = recordingIo({ stdin: Buffer.from(POD, 'latin1').toString('utf8') });
    expect(await run(['rewrite', '-c', EXAMPLE], lossy)).toBe(1);
    expect(lossy.err).toMatch(/^standard input: holds U\+FFFD at line 1/);
    expect(lossy.out).toBe('');
    const utf16 = recordingIo({ stdin: Buffer.from(POD, 'utf16le').toString('utf8') });
    expect(await run(['audit', '-c', EXAMPLE], utf16)).toBe(1);
    expect(utf16.err).toMatch(/^standard input: holds a NUL character/);
  });

  test('a UTF-8 file with a byte-order mark is rewritten and keeps its mark', async () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(POD, 'utf8')]);
    const file = tempFile(utf8);
    const io = recordingIo({ cwd: path.dirname(file) });
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', 'pod.yaml'], io)).toBe(0);
    const after = readFileSync(file);
    expect([...after.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(after.subarray(3).toString('utf8')).toBe(POD.replace('nginx:1.27', `${R}/docker-hub/library/nginx:1.27`));
  });
});

describe('firstInvalidUtf8', () => {
  test("agrees with node's isUtf8 on arbitrary bytes, and points at a byte that breaks decoding", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        expect(at === -1).toBe(isUtf8(bytes));
        if (at >= 0) {
          expect(isUtf8(bytes.subarray(0, at))).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
