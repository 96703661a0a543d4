/**
 * The list of critical images: `prewarm.images` from the config, plus a manifest teams change
 * without a deploy (an S3 object or an SSM parameter, `prewarm.manifest`), plus `--images FILE`
 * in the CLI. Every source is parsed the same way; reading the S3 object and the SSM parameter is
 * engines/prewarm's (`loadManifestImages`), so this module does no I/O.
 */
import type { PtcConfig } from '../config/schema';
import { truncate } from '../quote';
import { ImageListError } from './errors';
import { readYamlImageList, UnsupportedYamlError } from './image-list-yaml';

/** The largest image list read from S3 or a file. */
export const MAX_IMAGE_LIST_BYTES = 1024 * 1024;

/**
 * Parses an image list. Accepted: one reference per line (`#` starts a comment), a YAML or JSON
 * list of strings, or a YAML or JSON object with an `images` list. YAML is read by
 * `./image-list-yaml` (lists of plain or quoted references; no anchors, tags or block scalars).
 * @throws ImageListError naming `source` and the entry that is not a string
 * @example
 * parseImageList('nginx:1.27\n# the CNI\nghcr.io/org/cni:v2\n', 'images.txt') // ['nginx:1.27', 'ghcr.io/org/cni:v2']
 */
export function parseImageList(text: string, source: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
  if (lines.length === 0) return [];
  // A YAML document may start with "---"; what follows it decides.
  const first = lines[0] === '---' ? (lines[1] ?? '') : lines[0]!;
  if (lines[0] === '---' || /^(\[|\{|-(\s|$)|images\s*:)/.test(first)) {
    let doc: unknown;
    try {
      doc = readYamlImageList(text);
    } catch (err) {
      if (!(err instanceof UnsupportedYamlError)) throw err;
      throw new ImageListError(
        source,
        `is not an image list this reader takes: ${err.feature}; write one reference per line, a JSON list, or a YAML list of plain or quoted references (docs/validation-and-prewarm.md)`,
      );
    }
    const list = Array.isArray(doc) ? doc : doc !== null && typeof doc === 'object' ? (doc as { images?: unknown }).images : undefined;
    if (!Array.isArray(list)) throw new ImageListError(source, 'a YAML/JSON image list must be a list, or an object with an "images" list');
    const key = Array.isArray(doc) ? '' : 'images';
    return list.map((entry, index) => {
      if (typeof entry !== 'string' || entry.trim() === '') {
        const got =
          entry !== null && typeof entry === 'object' && typeof (entry as { notAString?: unknown }).notAString === 'string'
            ? (entry as { notAString: string }).notAString
            : JSON.stringify(entry);
        throw new ImageListError(source, `${key}[${index}] must be an image reference string, got ${truncate(got, 80)}`);
      }
      return entry.trim();
    });
  }
  return lines;
}

/** The union of image lists in order of first appearance. */
export function mergeImageLists(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

/** Where `prewarm.manifest` points, in words: `s3://bucket/key`, `ssm:/name`. */
export function manifestSources(manifest: PtcConfig['prewarm']['manifest']): string[] {
  const out: string[] = [];
  if (manifest?.s3) out.push(`s3://${manifest.s3.bucket}/${manifest.s3.key}`);
  if (manifest?.ssmParameter) out.push(`ssm:${manifest.ssmParameter}`);
  return out;
}

/** `NoSuchKey: The specified key does not exist.` from an SDK error. */
export function sdkErrorText(err: unknown): string {
  if (err instanceof Error) return err.message && err.message !== err.name ? `${err.name}: ${err.message}` : err.name;
  return String(err);
}
