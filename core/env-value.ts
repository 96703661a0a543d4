/**
 * How the CDK app hands a Lambda its settings: one environment variable holding JSON, or `gzip:`
 * and the base64 of the gzipped JSON when the plain form is long. Lambda allows 4 KB of
 * environment in all, so each value must stay under `ENV_VALUE_LIMIT`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** Plain JSON up to this length; longer values are gzipped. */
const PLAIN_LIMIT = 2048;
/** The largest value ptc-autopilot puts in one variable (Lambda allows 4 KB of environment in all). */
export const ENV_VALUE_LIMIT = 3584;
const GZIP = 'gzip:';

/**
 * Packs a JSON-serializable value for an environment variable. The caller checks the result's
 * length against `ENV_VALUE_LIMIT` and says what to shorten.
 * @example
 * packJson({ rules: [] }) // '{"rules":[]}'
 */
export function packJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length <= PLAIN_LIMIT ? json : `${GZIP}${gzipSync(json, { level: 9 }).toString('base64')}`;
}

/** A variable that `unpackJson` could not read. */
export class EnvValueError extends Error {
  constructor(
    /** Which step failed. */
    readonly step: 'decompress' | 'parse',
    /** The underlying error's message. */
    readonly reason: string,
  ) {
    super(step === 'decompress' ? `cannot be decompressed (${reason})` : `is not JSON (${reason})`);
  }
}

/**
 * Reads back what `packJson` wrote.
 * @throws EnvValueError whose message, fit to follow the variable's name, says which step failed.
 */
export function unpackJson(value: string): unknown {
  let json: string;
  try {
    json = value.startsWith(GZIP) ? gunzipSync(Buffer.from(value.slice(GZIP.length), 'base64')).toString('utf8') : value;
  } catch (err) {
    throw new EnvValueError('decompress', (err as Error).message);
  }
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new EnvValueError('parse', (err as Error).message);
  }
}
