/**
 * Content digests as the OCI image spec registers them (`sha256:` with 64 and `sha512:` with 128
 * lower-case hex digits), checked as bytes stream by. A digest of another algorithm, or of the
 * wrong length, is refused before any request: it could not be verified, and an unverified
 * blob must never count as warmed.
 */
import { createHash, type Hash } from 'node:crypto';
import { DIGEST_HEX_LENGTHS } from '../image-ref/grammar';
import { quote } from '../quote';
import { DigestError } from './errors';

/** A digest algorithm the client verifies. */
export type DigestAlgorithm = 'sha256' | 'sha512';

/** The algorithms verified, for messages. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha512'];

/**
 * The algorithm of a digest the client can verify.
 * @throws DigestError for an unknown algorithm or a malformed hex part
 * @example
 * digestAlgorithm(`sha512:${'a'.repeat(128)}`) // 'sha512'
 */
export function digestAlgorithm(digest: string): DigestAlgorithm {
  const colon = digest.indexOf(':');
  const algorithm = colon < 0 ? '' : digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTHS[algorithm];
  if (length === undefined || !(DIGEST_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new DigestError(digest, `algorithm ${quote(algorithm, 20)} cannot be verified (only ${DIGEST_ALGORITHMS.join(' and ')} can)`);
  }
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex))
    throw new DigestError(digest, `"${algorithm}:" must be followed by ${length} lower-case hex digits`);
  return algorithm as DigestAlgorithm;
}

/** Hashes a body chunk by chunk in a digest's algorithm and tells whether it matched. */
export class DigestVerifier {
  private readonly hash: Hash;

  constructor(readonly algorithm: DigestAlgorithm) {
    this.hash = createHash(algorithm);
  }

  /**
   * A verifier in the algorithm of `digest`.
   * @throws DigestError when `digest` cannot be verified
   */
  static for(digest: string): DigestVerifier {
    return new DigestVerifier(digestAlgorithm(digest));
  }

  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }

  /** The digest of what was fed (once: the hash is finished by this call). */
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}
