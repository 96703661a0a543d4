/**
 * The `copies` list: registries ECR's pull-through cache cannot serve (`gcr.io`, `nvcr.io`,
 * `mcr.microsoft.com`, a self-hosted Harbor...), whose listed images ptc-autopilot copies into ECR
 * repositories `<prefix>/<path>` (docs/copy.md). Shapes and per-entry checks only; the checks of
 * one entry against the rest of the config (rules, other entries) live in `copies-checks.ts`.
 */
import { z } from 'zod';
import { quote } from '../quote';
import { repositoryPrefix, scheduleExpression, strictObject } from './fields';

/** A registry host with an optional port: a DNS name, an IPv4 address or a bracketed IPv6 address. */
export const REGISTRY_HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[a-f0-9:]+\])(?::[0-9]{1,5})?$/;

/** Secrets Manager's secret name: 1 to 512 of letters, digits and `/_+=.@-` (CreateSecret `Name`). */
const SECRET_NAME = /^[a-zA-Z0-9/_+=.@-]{1,512}$/;

/** The schedule a copy entry re-checks its tags on when it names none. */
export const DEFAULT_COPY_SCHEDULE = 'rate(1 day)';

/** A platform such as `linux/amd64` or `linux/arm/v7`, as `prewarm.platforms` spells them. */
const platform = z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, { error: (i) => `${quote(String(i.input))} is not a platform such as "linux/amd64"` });

const copyCredentials = strictObject({
  /**
   * Secrets Manager secret holding `{"username", "accessToken"}` for the upstream, the shape of
   * the pull-through-cache secrets; read by the copy engine at run time.
   */
  secretName: z.string({ error: 'must be a Secrets Manager secret name such as "ptc-copy/gcr"' }).regex(SECRET_NAME, {
    error: (i) => `${quote(String(i.input))} is not a Secrets Manager secret name: 1 to 512 letters, digits and /_+=.@-`,
  }),
});

const upstreamHost = z.string({ error: 'must be a registry host such as "gcr.io" or "registry.example.com:5000"' }).superRefine((value, ctx) => {
  if (value.includes('://') || value.includes('/')) {
    ctx.addIssue({ code: 'custom', message: `${quote(value)} must be a registry host[:port] only, such as "gcr.io", without a scheme or path` });
  } else if (!REGISTRY_HOST.test(value)) {
    ctx.addIssue({ code: 'custom', message: `${quote(value)} is not a registry host[:port] in lower case, such as "gcr.io" or "registry.example.com:5000"` });
  }
});

/** One `copies` entry. */
export const copyEntry = strictObject({
  /** ECR repositories `<prefix>/<path>` hold the copies; same rules as a rule's prefix, no overlap with them. */
  prefix: repositoryPrefix,
  /** Any OCI distribution registry `host[:port]` that no pull-through-cache rule can serve. */
  upstream: upstreamHost,
  /** Upstream credentials; anonymous when absent. */
  credentials: copyCredentials.optional(),
  /** What to copy: `host/path:tag`, `host/path@digest` or `host/path:tag@digest`, each on `upstream`. @default [] */
  images: z.array(z.string({ error: 'must be an image reference such as "gcr.io/distroless/static:nonroot"' })).default([]),
  /** Platforms of an index to copy (the copy is then a new index). @default every platform */
  platforms: z.array(platform).min(1, { error: 'list at least one platform, or remove the key to copy every platform' }).optional(),
  /** When tags are checked again; a moved tag is copied again. @default rate(1 day) */
  schedule: scheduleExpression.default(DEFAULT_COPY_SCHEDULE),
});

/**
 * The `copies` list. Bounded: every entry is routed per image by the resolver and copied on its
 * schedule, and a config is one file a person reads.
 */
export const copiesSchema = z.array(copyEntry).max(100, { error: 'at most 100 copies entries' });

/** One parsed `copies` entry, defaults filled in. */
export type CopyConfig = z.output<typeof copyEntry>;
