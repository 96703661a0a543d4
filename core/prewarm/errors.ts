/**
 * Named errors of the prewarm engine. Those extending `PtcError` are fit to print as they are;
 * none of them ever carries a password or a token.
 */
import { PtcError } from '../errors';
import { quote } from '../quote';

/**
 * The registry cannot be used at all: the connection fails, or `/v2/` does not answer like an OCI
 * distribution registry. Reported once for the whole run instead of once per image.
 */
export class RegistryUnreachableError extends PtcError {
  constructor(
    /** The registry's base URL. */
    readonly registry: string,
    /** What went wrong, such as `connect ECONNREFUSED 127.0.0.1:5000`. */
    readonly reason: string,
  ) {
    super(`cannot reach registry ${registry}: ${reason}`);
  }
}

/** A plain-HTTP registry URL whose host the caller did not allow plain HTTP for. */
export class PlainHttpError extends PtcError {
  constructor(
    /** The registry's origin. */
    readonly registry: string,
  ) {
    super(
      `registry ${registry} is plain HTTP, which would send the credentials in clear text; allow its host for plain HTTP (ptc prewarm --insecure-http) or use https://`,
    );
  }
}

/** The registry refuses the credentials given (or needs some and none were given). */
export class RegistryAuthError extends PtcError {
  constructor(
    readonly registry: string,
    readonly reason: string,
  ) {
    super(`registry ${registry} refused access: ${reason}`);
  }
}

/** An HTTP answer the client does not retry (any 4xx but 429), or a retryable one after the last attempt. */
export class RegistryHttpError extends Error {
  constructor(
    /** HTTP status code. */
    readonly status: number,
    /** What was asked, such as `GET docker-hub/library/nginx manifest 1.27`. */
    readonly what: string,
    /** The registry's own error code and message, when its body had one (`MANIFEST_UNKNOWN: ...`). */
    readonly detail?: string,
  ) {
    super(`${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`);
    this.name = 'RegistryHttpError';
  }
}

/** The request never got an answer (connection refused or reset, timeout), after every retry. */
export class RegistryNetworkError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
  ) {
    super(`${what}: ${reason}`);
    this.name = 'RegistryNetworkError';
  }
}

/** A manifest that is not JSON, is of a media type we cannot walk, or does not match its digest. */
export class ManifestFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestFormatError';
  }
}

/** A blob whose body is longer (or declared longer) than its descriptor's size; it is not read further, nor retried. */
export class BlobSizeError extends Error {
  constructor(
    /** What was asked, such as `blob docker-hub/library/nginx@sha256:...`. */
    readonly what: string,
    readonly reason: string,
  ) {
    super(`${what}: ${reason}`);
    this.name = 'BlobSizeError';
  }
}

/** A digest the client cannot verify (unknown algorithm, wrong length); nothing is fetched for it. */
export class DigestError extends Error {
  constructor(
    /** The digest as the manifest or reference gave it. */
    readonly digest: string,
    readonly reason: string,
  ) {
    super(`digest ${quote(digest)}: ${reason}`);
    this.name = 'DigestError';
  }
}

/** A `WWW-Authenticate` header too long to be a registry's challenge; it is refused unparsed. */
export class ChallengeHeaderError extends Error {
  constructor(
    /** The header's length in characters. */
    readonly length: number,
    /** The most characters parsed. */
    readonly limit: number,
  ) {
    super(`the WWW-Authenticate header is ${length} characters long; at most ${limit} are parsed`);
    this.name = 'ChallengeHeaderError';
  }
}

/** The list of images to prewarm could not be read or parsed; the message names its source. */
export class ImageListError extends PtcError {
  constructor(
    /** Where the list came from: a file path, `s3://bucket/key` or `ssm:/name`. */
    readonly source: string,
    readonly reason: string,
  ) {
    super(`prewarm image list ${source}: ${reason}`);
  }
}
