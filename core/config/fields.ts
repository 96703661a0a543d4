/**
 * Field-level validators reused across the configuration schema. Each one carries the error
 * message a user sees, so the schema reads as a list of rules.
 */
import { z } from 'zod';
import { quote } from '../quote';
import { suggestName } from '../upstreams';

/**
 * ECR's documented pattern for `ecrRepositoryPrefix`, as the ECR API reference gives it
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PullThroughCacheRule.html):
 * `^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$`.
 * This is that pattern without its two alternatives ptc-autopilot refuses with their own reason:
 * `ROOT` and a trailing `/` (see `repositoryPrefix`).
 */
export const PREFIX_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** ECR's documented pattern verbatim, quoted by the README and checked against `PREFIX_PATTERN` by the tests. */
export const ECR_DOCUMENTED_PREFIX_PATTERN = '^([a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*\\/?|ROOT)$';

/** Upper bound on `ecrRepositoryPrefix` length, per the ECR API. */
export const PREFIX_MAX_LENGTH = 30;
/** Lower bound on `ecrRepositoryPrefix` length, per the ECR API. */
export const PREFIX_MIN_LENGTH = 2;

/** The name every pull-through-cache credential secret must start with. */
export const SECRET_NAME_PREFIX = 'ecr-pullthroughcache/';

/**
 * A strict object: unknown keys are errors that name the key and, when one is close, the key
 * the user probably meant.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const hint = suggestName(key, known);
          return hint === undefined
            ? `unknown key "${key}" (known keys: ${known.join(', ')})`
            : `unknown key "${key}"; did you mean "${hint}"?`;
        })
        .join('; ');
    },
  });
}

/** A 12-digit AWS account ID. YAML turns unquoted IDs into numbers; those are accepted when they still have 12 digits. */
export const accountId = z.preprocess(
  (value) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value),
  z.string({ error: 'must be a 12-digit AWS account ID in quotes' }).regex(/^\d{12}$/, {
    error: (issue) =>
      `must be a 12-digit AWS account ID, got "${String(issue.input)}" (quote account IDs in YAML so leading zeros survive)`,
  }),
);

/** An AWS region code such as `eu-west-2` or `us-gov-west-1`. */
export const region = z
  .string({ error: 'must be an AWS region code such as "eu-west-2"' })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, {
    error: (issue) => `must be an AWS region code such as "eu-west-2", got "${String(issue.input)}"`,
  });

/** An AWS Organizations ID (`o-` followed by 10 to 32 lower-case letters or digits). */
export const organizationId = z.string().regex(/^o-[a-z0-9]{10,32}$/, {
  error: (issue) => `must be an AWS Organizations ID such as "o-a1b2c3d4e5", got "${String(issue.input)}"`,
});

/** An ECR repository prefix as the ECR API accepts it for a pull through cache rule. */
export const repositoryPrefix = z
  .string({ error: 'must be a repository prefix such as "docker-hub"' })
  .superRefine((value, ctx) => {
    const problem = prefixProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Why `value` is not a prefix ptc-autopilot can manage, or undefined when it is one. */
export function prefixProblem(value: string): string | undefined {
  if (value.length < PREFIX_MIN_LENGTH || value.length > PREFIX_MAX_LENGTH) {
    return `${quote(value)} must be ${PREFIX_MIN_LENGTH} to ${PREFIX_MAX_LENGTH} characters long (ECR's limit), it has ${value.length}`;
  }
  if (value === 'ROOT') return '"ROOT" is not supported: ptc-autopilot manages named prefixes only';
  if (value.endsWith('/') && PREFIX_PATTERN.test(value.slice(0, -1))) {
    return `${quote(value)}: ECR reads a prefix as if it ended in "/", so write it without the trailing "/" (${quote(value.slice(0, -1))})`;
  }
  if (!PREFIX_PATTERN.test(value)) {
    return `${quote(value)} does not match ECR's prefix pattern: path components of lower-case letters and digits joined by "/", each component's letters and digits separated by ".", "_", "__" or any run of "-", with no leading or trailing separator`;
  }
  return undefined;
}

const rateExpression = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const cronExpression = /^cron\(([^()]+)\)$/;

/** An EventBridge schedule expression: `rate(1 hour)`, `rate(12 hours)` or `cron(0 3 * * ? *)`. */
export const scheduleExpression = z.string().superRefine((value, ctx) => {
  const rate = rateExpression.exec(value);
  if (rate) {
    const amount = Number(rate[1]);
    const unit = rate[2]!;
    if (amount < 1) {
      ctx.addIssue({ code: 'custom', message: `"${value}": the rate must be at least 1` });
    } else if (amount === 1 && unit.endsWith('s')) {
      ctx.addIssue({ code: 'custom', message: `"${value}": a rate of 1 takes a singular unit, as in "rate(1 ${unit.slice(0, -1)})"` });
    } else if (amount > 1 && !unit.endsWith('s')) {
      ctx.addIssue({ code: 'custom', message: `"${value}": a rate above 1 takes a plural unit, as in "rate(${amount} ${unit}s)"` });
    }
    return;
  }
  const cron = cronExpression.exec(value);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}": a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has ${fields.length}`,
      });
    } else if (fields[2] !== '?' && fields[4] !== '?') {
      ctx.addIssue({ code: 'custom', message: `"${value}": one of day-of-month and day-of-week must be "?"` });
    }
    return;
  }
  ctx.addIssue({
    code: 'custom',
    message: `"${value}" is not a schedule expression; use "rate(<n> <minute(s)|hour(s)|day(s)>)" or "cron(<6 fields>)"`,
  });
});

/** A positive whole number within bounds, with a message naming the bounds. */
export function boundedInt(min: number, max: number) {
  return z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: (issue) => `must be from ${min} to ${max}, got ${String(issue.input)}` })
    .max(max, { error: (issue) => `must be from ${min} to ${max}, got ${String(issue.input)}` });
}

/** An IAM role ARN. */
export const roleArn = z.string().regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
  error: (issue) => `must be an IAM role ARN such as "arn:aws:iam::111122223333:role/name", got "${String(issue.input)}"`,
});

/** The ARN of a KMS key: a key ARN, never an alias ARN. Partition, Region and account are checked against the stack by `kmsKeyIssues`. */
export const kmsKeyArn = z.string({ error: 'must be a KMS key ARN such as "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"' }).superRefine((value, ctx) => {
  const problem = kmsKeyArnProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const KMS_KEY_ARN = /^arn:(aws(?:-[a-z]+)*):kms:([a-z0-9-]+):(\d{12}):key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KMS_ALIAS_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:alias\//;

/** Why `value` is not a usable KMS key ARN, or undefined when it is one. */
export function kmsKeyArnProblem(value: string): string | undefined {
  if (KMS_ALIAS_ARN.test(value) || value.startsWith('alias/')) {
    return `${quote(value)} is an alias; give the key ARN ("arn:...:kms:<region>:<account>:key/<key id>", which "aws kms describe-key --key-id ${value.startsWith('alias/') ? value : value.slice(value.indexOf('alias/'))}" prints): IAM policy statements identify a KMS key only by its key ARN, never by an alias, so the grants ptc-autopilot writes would never match the key`;
  }
  if (!KMS_KEY_ARN.test(value)) {
    return `must be a KMS key ARN such as "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" (a key ID is a UUID or "mrk-" and 32 hex digits), got ${quote(value)}`;
  }
  return undefined;
}

/** The partition, Region and account of a key ARN that `kmsKeyArnProblem` accepted. */
export function kmsKeyPlace(value: string): { partition: string; region: string; account: string } | undefined {
  const match = KMS_KEY_ARN.exec(value);
  return match === null ? undefined : { partition: match[1]!, region: match[2]!, account: match[3]! };
}

/** The name of a Secrets Manager secret that ECR accepts as pull-through-cache credentials. */
export const secretName = z.string().superRefine((value, ctx) => {
  if (!value.startsWith(SECRET_NAME_PREFIX)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" must start with "${SECRET_NAME_PREFIX}": ECR only uses secrets with that prefix as upstream credentials`,
    });
  } else if (value.length === SECRET_NAME_PREFIX.length) {
    ctx.addIssue({ code: 'custom', message: `"${value}" needs a name after "${SECRET_NAME_PREFIX}"` });
  } else if (!/^[a-zA-Z0-9/_+=.@-]{1,512}$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" may contain only letters, digits and /_+=.@-` });
  }
});

/** The ARN of an existing Secrets Manager secret that ECR accepts as pull-through-cache credentials. */
export const secretArn = z
  .string()
  .regex(/^arn:aws(-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+-[a-zA-Z0-9]{6}$/, {
    error: (issue) =>
      `must be the complete ARN of a Secrets Manager secret whose name starts with "${SECRET_NAME_PREFIX}", ending in the 6 characters Secrets Manager appends (as "describe-secret" prints it), got "${String(issue.input)}"`,
  });

/** Why a resource tag key is unusable (AWS-reserved, ours, too long, bad characters), or undefined when it is fine. */
export function tagKeyProblem(value: string): string | undefined {
  if (value.length < 1 || value.length > 128) return `tag key "${value}" must be 1 to 128 characters long`;
  if (value.toLowerCase().startsWith('aws:')) return `tag key "${value}" uses the reserved "aws:" prefix`;
  if (value.startsWith('ptc-autopilot:')) return `tag key "${value}" uses the "ptc-autopilot:" prefix, which ptc-autopilot reserves for itself`;
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(value)) return `tag key "${value}" may contain only letters, digits, spaces and _.:/=+-@`;
  return undefined;
}

/** A resource tag value. */
export const tagValue = z.preprocess(
  (value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value),
  z.string({ error: 'tag values must be strings' }).max(256, { error: 'tag values must be at most 256 characters long' }),
);

/** Resource tags: keys checked by `tagKeyProblem`, each error located at its key. */
export const tagMap = z.record(z.string(), tagValue).superRefine((tags, ctx) => {
  for (const key of Object.keys(tags)) {
    const problem = tagKeyProblem(key);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  }
});
