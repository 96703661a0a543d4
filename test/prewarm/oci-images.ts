/**
 * Test images built from local content: an OCI image layout directory (tiny random layers, real
 * tar+gzip, a config per platform, a manifest per platform and, for several platforms, an image
 * index), which skopeo pushes to a local registry. The builder records every digest, so a test can
 * later ask a registry for each manifest and blob of the image.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Media types of the OCI image spec the builder writes. */
export const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** A platform such as `linux/arm64` or `linux/arm/v7`. */
export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

/** Parses `linux/arm/v7` into its parts. */
export function platformOf(text: string): PlatformSpec {
  const [os, architecture, variant] = text.split('/');
  return variant === undefined ? { os: os!, architecture: architecture! } : { os: os!, architecture: architecture!, variant };
}

/** One platform image of a built image. */
export interface BuiltManifest {
  platform: string;
  digest: string;
  configDigest: string;
  layerDigests: string[];
}

/** What the builder wrote: the top-level digest and every manifest and blob below it. */
export interface BuiltImage {
  /** Digest of the index (several platforms) or of the only manifest. */
  digest: string;
  /** Media type of the top-level manifest. */
  mediaType: string;
  manifests: BuiltManifest[];
}

/** Every manifest digest of an image (index first). */
export function manifestDigests(image: BuiltImage): string[] {
  const own = image.manifests.map((m) => m.digest);
  return image.manifests.length === 1 && own[0] === image.digest ? own : [image.digest, ...own];
}

/** Every blob digest (configs and layers) of the given platforms of an image. */
export function blobDigests(image: BuiltImage, platforms?: readonly string[]): string[] {
  return image.manifests
    .filter((m) => platforms === undefined || platforms.includes(m.platform))
    .flatMap((m) => [m.configDigest, ...m.layerDigests]);
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A one-file ustar archive holding `data`. */
function tarOf(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/** Writes OCI image layouts; one writer per layout directory. */
export class OciLayoutWriter {
  private readonly refs: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[] = [];

  constructor(readonly dir: string) {
    mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  private blob(data: Buffer): { digest: string; size: number } {
    const digest = sha256(data);
    writeFileSync(path.join(this.dir, 'blobs', 'sha256', digest.slice(7)), data);
    return { digest, size: data.length };
  }

  /**
   * Adds an image under `tag`: one manifest per platform, each with its own random layers; an
   * index above them when there is more than one platform.
   */
  addImage(tag: string, options: { platforms: readonly string[]; layers?: number; layerBytes?: number }): BuiltImage {
    const manifests: BuiltManifest[] = [];
    const descriptors: Record<string, unknown>[] = [];
    for (const platform of options.platforms) {
      const spec = platformOf(platform);
      const layers: { digest: string; size: number; diffId: string }[] = [];
      for (let i = 0; i < (options.layers ?? 1); i++) {
        const tar = tarOf(`file-${i}.bin`, randomBytes(options.layerBytes ?? 2048));
        layers.push({ ...this.blob(gzipSync(tar)), diffId: sha256(tar) });
      }
      const config = this.blob(
        Buffer.from(
          JSON.stringify({
            ...spec,
            config: { Env: [`PTC_TEST=${tag}`] },
            rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
          }),
        ),
      );
      const manifestBody = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI.manifest,
          config: { mediaType: OCI.config, digest: config.digest, size: config.size },
          layers: layers.map((l) => ({ mediaType: OCI.layer, digest: l.digest, size: l.size })),
        }),
      );
      const manifest = this.blob(manifestBody);
      manifests.push({ platform, digest: manifest.digest, configDigest: config.digest, layerDigests: layers.map((l) => l.digest) });
      descriptors.push({ mediaType: OCI.manifest, digest: manifest.digest, size: manifest.size, platform: spec });
    }
    let top: { digest: string; size: number; mediaType: string };
    if (manifests.length === 1) {
      top = { digest: manifests[0]!.digest, size: descriptors[0]!.size as number, mediaType: OCI.manifest };
    } else {
      const index = this.blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: descriptors })));
      top = { ...index, mediaType: OCI.index };
    }
    this.refs.push({
      mediaType: top.mediaType,
      digest: top.digest,
      size: top.size,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    });
    writeFileSync(path.join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: this.refs }));
    return { digest: top.digest, mediaType: top.mediaType, manifests };
  }
}

/** Failure of a skopeo run, with its output. */
export class SkopeoError extends Error {}

/**
 * Pushes `tag` of an OCI layout to a plain-HTTP registry with skopeo (`--all` keeps every
 * platform of an index). `format: 'v2s2'` converts a single manifest to Docker's schema 2.
 */
export function skopeoPush(layoutDir: string, tag: string, destination: string, options: { format?: 'v2s2' | 'oci' } = {}): void {
  const args = ['copy', '--quiet', '--all', '--dest-tls-verify=false', '--preserve-digests'];
  if (options.format === 'v2s2') args.splice(args.indexOf('--preserve-digests'), 1, '--format', 'v2s2');
  args.push(`oci:${layoutDir}:${tag}`, `docker://${destination}`);
  const result = spawnSync('skopeo', args, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new SkopeoError(`skopeo ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
}

/** Failure of a push through the distribution API. */
export class PushError extends Error {}

async function putBlob(registry: string, repository: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(data);
  const start = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  const location = start.headers.get('location');
  if (start.status !== 202 || !location) throw new PushError(`POST blob upload to ${repository}: HTTP ${start.status}`);
  const url = new URL(location, `http://${registry}`);
  url.searchParams.set('digest', digest);
  const done = await fetch(url, { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } });
  await done.arrayBuffer();
  if (done.status !== 201) throw new PushError(`PUT blob ${digest} to ${repository}: HTTP ${done.status}`);
  return { digest, size: data.length };
}

async function putManifest(
  registry: string,
  repository: string,
  reference: string,
  mediaType: string,
  doc: unknown,
): Promise<{ digest: string; size: number }> {
  const body = Buffer.from(JSON.stringify(doc));
  const res = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': mediaType },
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new PushError(`PUT manifest ${repository}:${reference}: HTTP ${res.status}`);
  return { digest: sha256(body), size: body.length };
}

/**
 * Pushes a generated image (random layers, one manifest per platform, an index above them)
 * straight through the distribution push API: the benchmark's way to fill an upstream with
 * hundreds of images in seconds (the tests push with skopeo).
 */
export async function pushGeneratedImage(
  registry: string,
  repository: string,
  tag: string,
  options: { platforms: readonly string[]; layers?: number; layerBytes?: number },
): Promise<BuiltImage> {
  const manifests: BuiltManifest[] = [];
  const descriptors: Record<string, unknown>[] = [];
  for (const platform of options.platforms) {
    const layers: { digest: string; size: number }[] = [];
    for (let i = 0; i < (options.layers ?? 1); i++)
      layers.push(await putBlob(registry, repository, gzipSync(tarOf(`f${i}.bin`, randomBytes(options.layerBytes ?? 4096)))));
    const config = await putBlob(
      registry,
      repository,
      Buffer.from(JSON.stringify({ ...platformOf(platform), rootfs: { type: 'layers', diff_ids: [] } })),
    );
    const doc = {
      schemaVersion: 2,
      mediaType: OCI.manifest,
      config: { mediaType: OCI.config, ...config },
      layers: layers.map((l) => ({ mediaType: OCI.layer, ...l })),
    };
    const m = await putManifest(registry, repository, sha256(Buffer.from(JSON.stringify(doc))), OCI.manifest, doc);
    manifests.push({ platform, digest: m.digest, configDigest: config.digest, layerDigests: layers.map((l) => l.digest) });
    descriptors.push({ mediaType: OCI.manifest, ...m, platform: platformOf(platform) });
  }
  const index = await putManifest(registry, repository, tag, OCI.index, { schemaVersion: 2, mediaType: OCI.index, manifests: descriptors });
  return { digest: index.digest, mediaType: OCI.index, manifests };
}
