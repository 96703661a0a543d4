/**
 * Decoding of the files `ptc rewrite` and `ptc audit` read. Kubernetes manifests and Helm values
 * are UTF-8; anything else (a Latin-1 comment, UTF-16 from a Windows editor, a PNG or a gzip
 * archive passed by mistake) is refused with one line naming the file, so `--in-place` never
 * writes back a corrupted file and `--check` never passes a file it could not read.
 */
import { isUtf8 } from 'node:buffer';
import { PtcError } from '../../core';

/** A file that is not UTF-8 text. */
export class InputEncodingError extends PtcError {}

/** Signatures of binary formats people pass by mistake, for a clearer message. */
const SIGNATURES: readonly [string, readonly number[]][] = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['a zip archive', [0x50, 0x4b, 0x03, 0x04]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46, 0x2d]],
];

/** Byte-order marks of the encodings YAML allows besides UTF-8 (longest first). */
const FOREIGN_BOMS: readonly [string, readonly number[]][] = [
  ['UTF-32 (little-endian)', [0xff, 0xfe, 0x00, 0x00]],
  ['UTF-32 (big-endian)', [0x00, 0x00, 0xfe, 0xff]],
  ['UTF-16 (little-endian)', [0xff, 0xfe]],
  ['UTF-16 (big-endian)', [0xfe, 0xff]],
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length and the allowed range of the second byte (RFC 3629: no overlongs, no surrogates).
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Decodes a file's bytes as UTF-8, or refuses them. A UTF-8 byte-order mark is kept (as U+FEFF at
 * the start of the text), so a file written back is byte-identical outside the edited values.
 * @param source the file name (or `standard input`) the message names
 * @throws InputEncodingError naming the file: UTF-16/UTF-32 byte-order mark, a NUL byte (binary),
 *   or bytes that are not UTF-8 (with the line and the byte)
 * @example
 * decodeText(readFileSync('deploy.yaml'), 'deploy.yaml')
 */
export function decodeText(bytes: Uint8Array, source: string): string {
  for (const [name, bom] of FOREIGN_BOMS) {
    if (startsWith(bytes, bom))
      throw new InputEncodingError(
        `${source}: is ${name} text; ptc reads UTF-8 only (convert it, for example with iconv -f UTF-16 -t UTF-8)`,
      );
  }
  for (const [name, signature] of SIGNATURES) {
    if (startsWith(bytes, signature)) throw new InputEncodingError(`${source}: is ${name}, not a YAML or JSON text file`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw new InputEncodingError(
      `${source}: is a binary file (NUL byte at offset ${nul}, line ${lineAt(bytes, nul)}), not a YAML or JSON text file`,
    );
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const byte = bytes[at]!.toString(16).toUpperCase().padStart(2, '0');
    throw new InputEncodingError(
      `${source}: is not UTF-8 text (byte 0x${byte} at offset ${at}, line ${lineAt(bytes, at)}); ptc reads and writes UTF-8 only, so convert it first (for example iconv -f ISO-8859-1 -t UTF-8)`,
    );
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * The same checks on text that was already decoded (standard input, which the CLI's IO hands over
 * as a string): a NUL character, or U+FFFD, which lossy decoding puts where bytes were not UTF-8.
 * @throws InputEncodingError naming the source
 */
export function checkDecodedText(text: string, source: string): string {
  const nul = text.indexOf('\u0000');
  if (nul >= 0)
    throw new InputEncodingError(`${source}: holds a NUL character (offset ${nul}): binary or UTF-16 input, not a YAML or JSON text`);
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new InputEncodingError(
      `${source}: holds U+FFFD at line ${line}, the mark of bytes that are not UTF-8; ptc reads UTF-8 only (pass the file by name for the exact byte)`,
    );
  }
  return text;
}
