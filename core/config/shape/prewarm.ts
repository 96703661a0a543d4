/**
 * The shape of the `prewarm` block, which prewarm's payload carries (core/lambda-payload-check.ts):
 * a module of its own, so the Lambda constructs no schema it does not read.
 */
import * as z from 'zod/mini';
import { boundedInt, described, kmsKeyArn, scheduleExpression, strictObject } from '../fields';
import { quote } from '../../quote';

const s3Location = strictObject({
  bucket: described(z.string().check(z.minLength(3), z.maxLength(63)), 'bucket name'),
  key: described(z.string().check(z.minLength(1)), 'object key'),
});

/** Where an image list is read at run time (`prewarm.manifest`, `copies[N].manifest`): an S3 object and/or an SSM parameter. */
export const manifestSource = strictObject({
  s3: described(z.optional(s3Location), 'an S3 object listing images, one per line or as YAML'),
  ssmParameter: described(
    z.optional(
      z.string().check(z.regex(/^\/?[a-zA-Z0-9_.\-/]+$/, { error: 'must be an SSM parameter name such as "/ptc/prewarm-images"' })),
    ),
    'an SSM parameter (String, StringList or SecureString) listing images',
  ),
  kmsKeyArn: described(
    z.optional(kmsKeyArn),
    'customer managed key of the SecureString parameter and/or the SSE-KMS object (prewarm gets `kms:Decrypt` on it through S3/SSM only; `aws/ssm` and `aws/s3` need nothing)',
  ),
});

/** The `prewarm` block. */
export const prewarm = strictObject({
  schedule: described(z._default(scheduleExpression, 'rate(12 hours)'), 'EventBridge schedule of the prewarm Lambda'),
  images: described(
    z._default(z.array(z.string()), []),
    'upstream references to keep warm (`nginx:1.27`, `ghcr.io/org/app:v1`); each must parse and be covered by a rule in every environment, or it is a `config error at prewarm.images[N]` with the reason',
  ),
  manifest: described(
    z.optional(manifestSource),
    'extra images read at run time, so the list changes without a deploy: `s3` and/or `ssmParameter`',
  ),
  platforms: described(
    z._default(
      z
        .array(
          z.string().check(
            z.regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, {
              error: (i) => `${quote(String(i.input))} is not a platform such as "linux/amd64"`,
            }),
          ),
        )
        .check(z.minLength(1)),
      ['linux/amd64', 'linux/arm64'],
    ),
    'platforms fetched from multi-arch indexes',
  ),
  concurrency: described(z._default(boundedInt(1, 64), 8), 'images fetched at once (1 to 64)'),
});
