/**
 * The Lambdas' side of `core/lambda-settings`: the JSON payloads the CDK app puts in the settings
 * variables, checked by schemas composed from the config schema's own pieces (`core/config/shape`,
 * written with zod/mini, so a bundle carries only the parts it uses and no locale). The stack
 * validated the whole config at synth; this keeps a hand-edited or truncated variable from becoming
 * a TypeError deep inside a Lambda, and refuses it with one line naming the field.
 */
import * as z from 'zod/mini';
import { ConfigError } from './errors';
import { formatPath } from './config/format-path';
import { accountId, kmsKeyArn, region, repositoryPrefix, strictObject } from './config/fields';
import { rules } from './config/shape/rule';
import { repositoriesBlock } from './config/shape/repositories';
import { prewarm } from './config/shape/prewarm';
import { reconciler } from './config/shape/reconciler';
import { copiesSchema } from './config/copies-schema';
import { payloadIssueMessage } from './payload-messages';

const where = { account: accountId, region };
/**
 * The reconciler's `repositories`: the config's block with the consumers' accounts and OUs added to
 * its grant lists (`repositoriesWithConsumers`), so without the limits on how many the file may list.
 */
const grantedRepositories = repositoriesBlock(false).block;

/** The `copies` entries as the reconciler gets them: their prefixes only (docs/copy.md, "Repositories"). */
const copyPrefixList = z.optional(z.array(strictObject({ prefix: z.clone(repositoryPrefix) })));

/** The reconciler's payload: the parts of the validated config that decide desired state, consumers granted. */
export const reconcilerPayloadSchema = strictObject({
  ...where,
  rules,
  copies: copyPrefixList,
  repositories: grantedRepositories,
  reconciler,
});
/** Rule validation's payload: the rules, and the customer managed key of the secrets its stack creates. */
export const validationPayloadSchema = strictObject({ ...where, rules, secretsKmsKeyArn: z.optional(kmsKeyArn) });
/** Prewarm's payload: the rules (to map images to the cache) and the prewarm block. */
export const prewarmPayloadSchema = strictObject({ ...where, rules, prewarm });

/** The copy-images Lambda's payload: the target's account and region and the `copies` list. */
export const copyPayloadSchema = strictObject({ ...where, copies: copiesSchema });

/** What the reconciler's variable holds. */
export type ReconcilerPayload = z.output<typeof reconcilerPayloadSchema>;
/** What rule validation's variable holds. */
export type ValidationPayload = z.output<typeof validationPayloadSchema>;
/** What prewarm's variable holds. */
export type PrewarmPayload = z.output<typeof prewarmPayloadSchema>;
/** What the copy-images Lambda's variable holds. */
export type CopyPayload = z.output<typeof copyPayloadSchema>;

/**
 * Parses `raw` with `schema`.
 * @throws ConfigError with the first issue only, one line: `config error at <path>: <problem>`
 */
function read<S extends z.ZodMiniType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw, { error: payloadIssueMessage });
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  throw new ConfigError([{ path: formatPath(first.path), message: first.message }]);
}

/**
 * Checks the reconciler's payload (`reconcilerPayload`) read back from JSON.
 * @throws ConfigError naming the first field at fault: `config error at rules[0].upstream: ...`
 */
export function readReconcilerPayload(raw: unknown): ReconcilerPayload {
  return read(reconcilerPayloadSchema, raw);
}

/**
 * Checks rule validation's payload (`validationPayload`) read back from JSON.
 * @throws ConfigError naming the first field at fault
 */
export function readValidationPayload(raw: unknown): ValidationPayload {
  return read(validationPayloadSchema, raw);
}

/**
 * Checks prewarm's payload (`prewarmPayload`) read back from JSON.
 * @throws ConfigError naming the first field at fault
 */
export function readPrewarmPayload(raw: unknown): PrewarmPayload {
  return read(prewarmPayloadSchema, raw);
}

/**
 * Checks the copy-images Lambda's payload (`copyPayload`) read back from JSON.
 * @throws ConfigError naming the first field at fault: `config error at copies[0].upstream: ...`
 */
export function readCopyPayload(raw: unknown): CopyPayload {
  return read(copyPayloadSchema, raw);
}
