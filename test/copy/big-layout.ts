/**
 * An OCI image layout on disk holding one image whose single layer is `mib` MiB of random bytes,
 * written 1 MiB at a time (never whole in memory), for the large-layer test (test/copy/large-layer.test.ts)
 * and the copy benchmark (bench/copy.bench.ts). Invented content: random bytes, an OCI image manifest
 * and config shaped as the OCI image spec defines them; skopeo pushes the layout to a real registry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/** Writes an OCI layout holding one image (`tag`) with one random layer of `mib` MiB, streamed to disk. */
export function bigLayout(dir: string, mib: number, tag: string): void {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const tmp = path.join(dir, 'layer.tmp');
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const layer = `sha256:${hash.digest('hex')}`;
  renameSync(tmp, path.join(dir, 'blobs', 'sha256', layer.slice(7)));
  const blob = (data: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer] } })));
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: mib * 1024 * 1024 }],
      }),
    ),
  );
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
}
