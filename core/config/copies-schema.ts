/**
 * The `copies` list: registries ECR's pull-through cache cannot serve (`gcr.io`, `nvcr.io`,
 * `mcr.microsoft.com`, a self-hosted Harbor...), whose listed images ptc-autopilot copies into ECR
 * repositories `<prefix>/<path>` (docs/copy.md). Shapes and per-entry checks only; the checks of
 * one entry against the rest of the config (rules, other entries) live in `copies-checks.ts`.
 */
import * as z from 'zod/mini';
import { quote } from '../quote';
import { described, refineWith, repositoryPrefix, scheduleExpression, strictObject } from './fields';
import { manifestSource } from './shape/prewarm';

/** A registry host with an optional port: a DNS name, an IPv4 address or a bracketed IPv6 address. */
export const REGISTRY_HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[a-f0-9:]+\])(?::[0-9]{1,5})?$/;

/** Secrets Manager's secret name: 1 to 512 of letters, digits and `/_+=.@-` (CreateSecret `Name`). */
const SECRET_NAME = /^[a-zA-Z0-9/_+=.@-]{1,512}$/;

/** The schedule a copy entry re-checks its tags on when it names none. */
export const DEFAULT_COPY_SCHEDULE = 'rate(1 day)';

/** A platform such as `linux/amd64` or `linux/arm/v7`, as `prewarm.platforms` spells them. */
const platform = z
  .string()
  .check(
    z.regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, { error: (i) => `${quote(String(i.input))} is not a platform such as "linux/amd64"` }),
  );

const copyCredentials = strictObject({
  secretName: described(
    z.string({ error: 'must be a Secrets Manager secret name such as "ptc-copy/gcr"' }).check(
      z.regex(SECRET_NAME, {
        error: (i) => `${quote(String(i.input))} is not a Secrets Manager secret name: 1 to 512 letters, digits and /_+=.@-`,
      }),
    ),
    'Secrets Manager secret holding `{"username", "accessToken"}` for the upstream (the shape of the pull-through cache secrets), read by the copy engine at run time',
  ),
});

/** Why `value` is not a registry `host[:port]`, or undefined when it is one. */
function upstreamHostProblem(value: string): string | undefined {
  if (value.includes('://') || value.includes('/'))
    return `${quote(value)} must be a registry host[:port] only, such as "gcr.io", without a scheme or path`;
  if (!REGISTRY_HOST.test(value))
    return `${quote(value)} is not a registry host[:port] in lower case, such as "gcr.io" or "registry.example.com:5000"`;
  return undefined;
}

const upstreamHost = z
  .string({ error: 'must be a registry host such as "gcr.io" or "registry.example.com:5000"' })
  .check(refineWith(upstreamHostProblem));

/** One `copies` entry. */
export const copyEntry = strictObject({
  prefix: described(
    z.clone(repositoryPrefix),
    "ECR repositories `<prefix>/<path>` hold the copies; the same rules as a rule's prefix, no overlap with the rules' prefixes",
  ),
  upstream: described(upstreamHost, 'any OCI distribution registry `host[:port]` that no pull-through cache rule can serve'),
  credentials: described(z.optional(copyCredentials), 'upstream credentials; anonymous when absent'),
  images: described(
    z._default(z.array(z.string({ error: 'must be an image reference such as "gcr.io/distroless/static:nonroot"' })), []),
    'what to copy: `host/path:tag`, `host/path@digest` or `host/path:tag@digest`, each on `upstream`',
  ),
  manifest: described(
    z.optional(z.clone(manifestSource)),
    'more images read by the copy-images Lambda at run time, as `prewarm.manifest` (`s3` and/or `ssmParameter`); each must lie on `upstream` (else it fails, naming the list); routing commands rewrite only the images listed in `images`',
  ),
  platforms: described(
    z.optional(z.array(platform).check(z.minLength(1, { error: 'list at least one platform, or remove the key to copy every platform' }))),
    'platforms of an index to copy (the copy is then a new index with a digest of its own); unset: every platform',
  ),
  schedule: described(
    z._default(z.clone(scheduleExpression), DEFAULT_COPY_SCHEDULE),
    'when tags are checked again; a moved tag is copied again',
  ),
  mirror: described(
    z.optional(z.boolean({ error: 'must be true or false' })),
    "mirror mode (`ptc node-config`) for this upstream, cache only: nodes pull every image of the host from its copies and an unlisted image fails to pull; never with fallback, which would send the node's ECR token upstream on every unlisted image (docs/copy.md)",
  ),
});

/**
 * The `copies` list. Bounded: every entry is routed per image by the resolver and copied on its
 * schedule, and a config is one file a person reads.
 */
export const copiesSchema = z.array(copyEntry).check(z.maxLength(100, { error: 'at most 100 copies entries' }));

/** One parsed `copies` entry, defaults filled in. */
export type CopyConfig = z.output<typeof copyEntry>;
