/**
 * `kms:Decrypt` for prewarm's external image list (`prewarm.manifest`), when a customer managed key
 * encrypts it: a SecureString parameter (which "any principal that retrieves the decrypted value
 * must have kms:Decrypt permission on", https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html)
 * or an SSE-KMS object. The AWS managed keys `aws/ssm` and `aws/s3` need no grant: their services
 * keep their key policies, and `aws/ssm` "grants Decrypt permission to all IAM principals in the
 * AWS account" (same page).
 */
import type { PtcConfig } from '../config/schema';
import type { Target } from '../environments';
import { dnsSuffix } from './secrets-key-policy';

/** One `kms:Decrypt` statement: the key, used only through the listed services. */
export interface PrewarmKeyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string;
  Condition: { StringEquals: { 'kms:ViaService': string | string[] } };
}

/** A config problem with `prewarm.manifest.kmsKeyArn`, with the path it is at. */
export interface PrewarmKeyIssue {
  path: (string | number)[];
  message: string;
}

const arnRegion = (arn: string): string => arn.split(':')[3] ?? '';
const isMultiRegionKey = (arn: string): boolean => /:key\/mrk-/.test(arn);

/** The key in a given Region: a multi-Region key (`mrk-...`) has a replica there under the same ID. */
function keyInRegion(arn: string, region: string): string {
  const parts = arn.split(':');
  parts[3] = region;
  return parts.join(':');
}

/**
 * The statements that let prewarm decrypt its image list in one target, or none without a key.
 * An S3 object is encrypted by a key of its bucket's Region, so S3 use is allowed through
 * `s3.<key Region>`; the SSM parameter is read in the target's Region, through `ssm.<Region>`.
 */
export function prewarmKeyStatements(config: PtcConfig, target: Pick<Target, 'region' | 'partition'>): PrewarmKeyStatement[] {
  const manifest = config.prewarm.manifest;
  const key = manifest?.kmsKeyArn;
  if (key === undefined) return [];
  const uses: { resource: string; via: string }[] = [];
  if (manifest?.s3 !== undefined) uses.push({ resource: key, via: `s3.${arnRegion(key)}.${dnsSuffix(target.partition)}` });
  if (manifest?.ssmParameter !== undefined) {
    uses.push({
      resource: isMultiRegionKey(key) ? keyInRegion(key, target.region) : key,
      via: `ssm.${target.region}.${dnsSuffix(target.partition)}`,
    });
  }
  const byResource = new Map<string, string[]>();
  for (const use of uses) byResource.set(use.resource, [...(byResource.get(use.resource) ?? []), use.via]);
  return [...byResource].map(([resource, via], i) => ({
    Sid: i === 0 ? 'DecryptImageList' : `DecryptImageList${i + 1}`,
    Effect: 'Allow',
    Action: ['kms:Decrypt'],
    Resource: resource,
    Condition: { StringEquals: { 'kms:ViaService': via.length === 1 ? via[0]! : via } },
  }));
}

/**
 * A SecureString parameter of the same name exists once per Region, each encrypted by a key of its
 * own Region: a single-Region key fits only environments in its Region.
 */
export function prewarmKeyIssues(config: {
  prewarm: { manifest?: { ssmParameter?: string | undefined; kmsKeyArn?: string | undefined } | undefined };
  region?: string | undefined;
  environments?: readonly { region: string }[] | undefined;
}): PrewarmKeyIssue[] {
  const manifest = config.prewarm.manifest;
  const key = manifest?.kmsKeyArn;
  if (key === undefined || manifest?.ssmParameter === undefined || isMultiRegionKey(key)) return [];
  const regions = config.environments?.map((e) => e.region) ?? (config.region !== undefined ? [config.region] : []);
  const elsewhere = [...new Set(regions.filter((r) => r !== arnRegion(key)))];
  if (elsewhere.length === 0) return [];
  return [
    {
      path: ['prewarm', 'manifest', 'kmsKeyArn'],
      message: `the key is in ${arnRegion(key)}, but the parameter ${manifest.ssmParameter} is read in ${elsewhere.join(', ')} too, where a SecureString is encrypted with a key of that Region; use a multi-Region key (key/mrk-...)`,
    },
  ];
}
