/**
 * DescribeImages records for the eviction tests. Derived, not captured: every field is one of
 * ImageDetail's documented fields (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html),
 * media types as ECR reports them for OCI indexes, Docker manifest lists and image manifests
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html), a referrer
 * carries `subjectManifestDigest` as ECR's OCI 1.1 referrers support describes
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-signing.html), and an index's
 * `imageSizeInBytes` is the largest of its manifests, as the ImageDetail page says.
 */
import type { ImageRecord } from '../../core/eviction';

export const NOW = new Date('2026-12-07T03:00:00Z');
export const DAY = 24 * 60 * 60 * 1000;
export const daysAgo = (n: number): Date => new Date(NOW.getTime() - n * DAY);

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const COSIGN_SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** A sha256 digest made from a label, so tests read as names. */
export function digest(label: string): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i++) hex += ((label.charCodeAt(i % label.length) * 31 + i * 7) % 256).toString(16).padStart(2, '0');
  return `sha256:${hex.slice(0, 64)}`;
}

/** One image manifest. */
export function manifest(label: string, fields: Partial<ImageRecord> = {}): ImageRecord {
  return {
    imageDigest: digest(label),
    imageManifestMediaType: OCI_MANIFEST,
    imageSizeInBytes: 30_000_000,
    imagePushedAt: daysAgo(200),
    ...fields,
  };
}

/** An image index; its size is the largest of `children`, as ECR reports it. */
export function index(label: string, children: readonly ImageRecord[], fields: Partial<ImageRecord> = {}): ImageRecord {
  return {
    imageDigest: digest(label),
    imageManifestMediaType: OCI_INDEX,
    imageSizeInBytes: Math.max(...children.map((c) => c.imageSizeInBytes ?? 0)),
    imagePushedAt: daysAgo(200),
    ...fields,
  };
}

/** A cosign signature stored as an OCI 1.1 referrer of `subject`. */
export function signature(label: string, subject: ImageRecord, fields: Partial<ImageRecord> = {}): ImageRecord {
  return {
    imageDigest: digest(label),
    imageManifestMediaType: OCI_MANIFEST,
    artifactMediaType: COSIGN_SIG,
    subjectManifestDigest: subject.imageDigest,
    imageSizeInBytes: 1_500,
    imagePushedAt: daysAgo(200),
    ...fields,
  };
}
