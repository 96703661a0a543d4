/**
 * Field-level validators reused across the configuration schema. Each one carries the error
 * message a user sees, so the schema reads as a list of rules.
 */
import { z } from 'zod';
import { suggestName } from '../upstreams';

/** ECR's documented pattern for `ecrRepositoryPrefix` (without the special `ROOT` value). */
export const PREFIX_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

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
    if (value.length < PREFIX_MIN_LENGTH || value.length > PREFIX_MAX_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" must be ${PREFIX_MIN_LENGTH} to ${PREFIX_MAX_LENGTH} characters long (ECR's limit), it has ${value.length}`,
      });
      return;
    }
    if (value === 'ROOT') {
      ctx.addIssue({ code: 'custom', message: '"ROOT" is not supported: ptc-autopilot manages named prefixes only' });
      return;
    }
    if (!PREFIX_PATTERN.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" does not match ECR's prefix pattern: lower-case letters and digits, separated by single ".", "_", "-" or "/", with no leading, trailing or doubled separator`,
      });
    }
  });

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

/** A KMS key ARN. */
export const kmsKeyArn = z.string().regex(/^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/_-]+$/, {
  error: (issue) => `must be a KMS key ARN, got "${String(issue.input)}"`,
});

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
