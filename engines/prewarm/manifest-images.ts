/**
 * Reads the external image list of `prewarm.manifest` (an S3 object, an SSM parameter) through the
 * SDK clients it is given; the prewarm Lambda and `ptc prewarm` both call it, and core/prewarm parses
 * what it reads (`parseImageList`).
 */
import type { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { PtcConfig } from '../../core/config/schema';
import { ImageListError } from '../../core/prewarm/errors';
import { MAX_IMAGE_LIST_BYTES, mergeImageLists, parseImageList, sdkErrorText } from '../../core/prewarm/image-list';

/**
 * The SDK command classes `loadManifestImages` sends, from a caller that imports the SDK statically.
 * A bundled Lambda must pass them: its SDK is external, found by `require` through the runtime's
 * module path, which `import()` does not search.
 */
export interface ManifestCommands {
  readonly GetObjectCommand: typeof GetObjectCommand;
  readonly GetParameterCommand: typeof GetParameterCommand;
}

/** The SDK clients `loadManifestImages` may need (only those of configured sources). */
export interface ManifestClients {
  readonly s3?: S3Client;
  readonly ssm?: SSMClient;
  /** The command classes. @default loaded with `import()` on first use (the CLI, which most runs never need) */
  readonly commands?: ManifestCommands;
}

/**
 * Reads the images of `prewarm.manifest`: the S3 object and the SSM parameter (String, StringList
 * or SecureString), when configured.
 * @throws ImageListError naming the source when it cannot be read or parsed
 */
export async function loadManifestImages(manifest: PtcConfig['prewarm']['manifest'], clients: ManifestClients): Promise<string[]> {
  const lists: string[][] = [];
  if (manifest?.s3) {
    const source = `s3://${manifest.s3.bucket}/${manifest.s3.key}`;
    if (!clients.s3) throw new ImageListError(source, 'no S3 client given');
    let text: string;
    try {
      // Loaded on use when not given: most CLI runs (and every other `ptc` command) never read an external list.
      const { GetObjectCommand } = clients.commands ?? (await import('@aws-sdk/client-s3'));
      const out = await clients.s3.send(new GetObjectCommand({ Bucket: manifest.s3.bucket, Key: manifest.s3.key }));
      if (out.ContentLength !== undefined && out.ContentLength > MAX_IMAGE_LIST_BYTES) {
        throw new ImageListError(source, `is ${out.ContentLength} bytes; at most ${MAX_IMAGE_LIST_BYTES} are read`);
      }
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (err instanceof ImageListError) throw err;
      throw new ImageListError(source, `cannot be read (${sdkErrorText(err)})`);
    }
    lists.push(parseImageList(text, source));
  }
  if (manifest?.ssmParameter) {
    const source = `ssm:${manifest.ssmParameter}`;
    if (!clients.ssm) throw new ImageListError(source, 'no SSM client given');
    let value: string;
    let type: string | undefined;
    try {
      const { GetParameterCommand } = clients.commands ?? (await import('@aws-sdk/client-ssm'));
      const out = await clients.ssm.send(new GetParameterCommand({ Name: manifest.ssmParameter, WithDecryption: true }));
      value = out.Parameter?.Value ?? '';
      type = out.Parameter?.Type;
    } catch (err) {
      throw new ImageListError(source, `cannot be read (${sdkErrorText(err)})`);
    }
    lists.push(
      type === 'StringList'
        ? value
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== '')
        : parseImageList(value, source),
    );
  }
  return mergeImageLists(...lists);
}
