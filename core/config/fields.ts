/**
 * Field-level validators reused across the configuration schema. Each one carries the error
 * message a user sees, so the schema reads as a list of rules.
 */
import * as z from 'zod/mini';
import { quote } from '../quote';
import { cronProblem } from './cron';
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
 * `schema` with a description: what the JSON Schema for editors and the README's configuration
 * reference (both generated, `npm run generate`) say about the field. Registered on `schema` itself
 * (no copy: each copy costs the Lambdas time at cold start), so pass a schema made for this key
 * (`z.optional(...)`, or `z.clone(field)` of a field shared by several keys).
 */
export function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), description });
  return schema;
}

/** A check that reports the one-line problem `problemOf` finds in a string, if any. */
export function refineWith(problemOf: (value: string) => string | undefined) {
  return z.superRefine<string>((value, ctx) => {
    const problem = problemOf(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/**
 * A strict object: unknown keys are errors that name the key and, when one is close, the key
 * the user probably meant.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const hint = suggestName(key, known);
          return hint === undefined
            ? `unknown key ${quote(key)} (known keys: ${known.join(', ')})`
            : `unknown key ${quote(key)}; did you mean ${quote(hint)}?`;
        })
        .join('; ');
    },
  });
}

/** A 12-digit AWS account ID. YAML turns unquoted IDs into numbers; those are accepted when they still have 12 digits. */
export const accountId = z.pipe(
  z.transform((value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value)),
  z.string({ error: 'must be a 12-digit AWS account ID in quotes' }).check(
    z.regex(/^\d{12}$/, {
      error: (issue) =>
        `must be a 12-digit AWS account ID, got ${quote(String(issue.input))} (quote account IDs in YAML so leading zeros survive)`,
    }),
  ),
);

/** An AWS region code such as `eu-west-2` or `us-gov-west-1`. */
export const region = z.string({ error: 'must be an AWS region code such as "eu-west-2"' }).check(
  z.regex(/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/, {
    error: (issue) => `must be an AWS region code such as "eu-west-2", got ${quote(String(issue.input))}`,
  }),
);

/** An AWS Organizations ID (`o-` followed by 10 to 32 lower-case letters or digits). */
export const organizationId = z.string().check(
  z.regex(/^o-[a-z0-9]{10,32}$/, {
    error: (issue) => `must be an AWS Organizations ID such as "o-a1b2c3d4e5", got ${quote(String(issue.input))}`,
  }),
);

/** An ECR repository prefix as the ECR API accepts it for a pull through cache rule. */
export const repositoryPrefix = z.string({ error: 'must be a repository prefix such as "docker-hub"' }).check(refineWith(prefixProblem));

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

/** An EventBridge schedule expression: `rate(1 hour)`, `rate(12 hours)` or `cron(0 3 * * ? *)`, each cron field in its documented range. */
export const scheduleExpression = z.string().check(refineWith(scheduleProblem));

/** Why `value` is not a schedule expression EventBridge accepts, or undefined when it is one. */
export function scheduleProblem(value: string): string | undefined {
  const shown = quote(value, 60);
  const rate = rateExpression.exec(value);
  if (rate) {
    const amount = Number(rate[1]);
    const unit = rate[2]!;
    if (amount < 1) return `${shown}: the rate must be at least 1`;
    if (amount === 1 && unit.endsWith('s')) return `${shown}: a rate of 1 takes a singular unit, as in "rate(1 ${unit.slice(0, -1)})"`;
    if (amount > 1 && !unit.endsWith('s')) return `${shown}: a rate above 1 takes a plural unit, as in "rate(${amount} ${unit}s)"`;
    return undefined;
  }
  const cron = cronExpression.exec(value);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      return `${shown}: a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has ${fields.length}`;
    }
    if (fields[2] !== '?' && fields[4] !== '?') return `${shown}: one of day-of-month and day-of-week must be "?"`;
    const problem = cronProblem(fields);
    return problem === undefined ? undefined : `${shown}: ${problem}`;
  }
  return `${shown} is not a schedule expression; use "rate(<n> <minute(s)|hour(s)|day(s)>)" or "cron(<6 fields>)"`;
}

/** A positive whole number within bounds, with a message naming the bounds. */
export function boundedInt(min: number, max: number) {
  return z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .check(
      z.int({ error: `must be a whole number from ${min} to ${max}` }),
      z.gte(min, { error: (issue) => `must be from ${min} to ${max}, got ${String(issue.input)}` }),
      z.lte(max, { error: (issue) => `must be from ${min} to ${max}, got ${String(issue.input)}` }),
    );
}

/** An IAM role ARN. */
export const roleArn = z.string().check(
  z.regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
    error: (issue) => `must be an IAM role ARN such as "arn:aws:iam::111122223333:role/name", got ${quote(String(issue.input))}`,
  }),
);

/** The ARN of a KMS key: a key ARN, never an alias ARN. Partition, Region and account are checked against the stack by `kmsKeyIssues`. */
export const kmsKeyArn = z
  .string({ error: 'must be a KMS key ARN such as "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"' })
  .check(refineWith(kmsKeyArnProblem));

const KMS_KEY_ARN =
  /^arn:(aws(?:-[a-z]+)*):kms:([a-z0-9-]+):(\d{12}):key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
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
export const secretName = z.string().check(
  z.superRefine((value, ctx) => {
    if (!value.startsWith(SECRET_NAME_PREFIX)) {
      ctx.addIssue({
        code: 'custom',
        message: `${quote(value)} must start with "${SECRET_NAME_PREFIX}": ECR only uses secrets with that prefix as upstream credentials`,
      });
    } else if (value.length === SECRET_NAME_PREFIX.length) {
      ctx.addIssue({ code: 'custom', message: `${quote(value)} needs a name after "${SECRET_NAME_PREFIX}"` });
    } else if (!/^[a-zA-Z0-9/_+=.@-]{1,512}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `${quote(value)} may contain only letters, digits and /_+=.@-` });
    }
  }),
);

/** The ARN of an existing Secrets Manager secret that ECR accepts as pull-through-cache credentials. */
export const secretArn = z.string().check(
  z.regex(/^arn:aws(-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+-[a-zA-Z0-9]{6}$/, {
    error: (issue) =>
      `must be the complete ARN of a Secrets Manager secret whose name starts with "${SECRET_NAME_PREFIX}", ending in the 6 characters Secrets Manager appends (as "describe-secret" prints it), got ${quote(String(issue.input))}`,
  }),
);

/** Characters AWS allows in tag keys and values: letters, digits, white space and `_ . : / = + - @` (Tag Editor user guide, "Tag naming limits and requirements"). */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** ECR's tag key length in characters (Unicode code points, as ECR counts them). */
export const TAG_KEY_MAX_CHARS = 128;
/** ECR's tag value length in characters (Unicode code points). */
export const TAG_VALUE_MAX_CHARS = 256;

/** The length of a string in Unicode code points, the characters ECR counts (an emoji is one, not two UTF-16 units). */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Why a resource tag key is unusable (AWS-reserved, ours, too long, bad characters), or undefined when it is fine. */
export function tagKeyProblem(value: string): string | undefined {
  const length = codePointLength(value);
  if (length < 1 || length > TAG_KEY_MAX_CHARS)
    return `tag key ${quote(value)} must be 1 to ${TAG_KEY_MAX_CHARS} characters long, it has ${length}`;
  if (value.toLowerCase().startsWith('aws:')) return `tag key ${quote(value)} uses the reserved "aws:" prefix`;
  if (value.startsWith('ptc-autopilot:'))
    return `tag key ${quote(value)} uses the "ptc-autopilot:" prefix, which ptc-autopilot reserves for itself`;
  if (!TAG_CHARACTERS.test(value)) return `tag key ${quote(value)} may contain only letters, digits, spaces and _.:/=+-@`;
  return undefined;
}

/** Why a resource tag value is unusable (too long, characters AWS refuses), or undefined when it is fine. */
export function tagValueProblem(value: string): string | undefined {
  const length = codePointLength(value);
  if (length > TAG_VALUE_MAX_CHARS)
    return `tag value ${quote(value)} must be at most ${TAG_VALUE_MAX_CHARS} characters long, it has ${length}`;
  if (!TAG_CHARACTERS.test(value)) return `tag value ${quote(value)} may contain only letters, digits, spaces and _.:/=+-@`;
  return undefined;
}

/** A resource tag value; YAML numbers and booleans become their text. */
export const tagValue = z.pipe(
  z.transform((value: unknown) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value)),
  z.string({ error: 'tag values must be strings' }).check(refineWith(tagValueProblem)),
);

/**
 * Resource tags: keys checked by `tagKeyProblem`, values by `tagValueProblem`, each error located
 * at its key. A `__proto__` key is refused explicitly: a JavaScript object parsed from the config
 * cannot carry it safely through to ECR, and it would otherwise vanish without a word.
 */
export const tagMap = z.pipe(
  z.transform((raw: unknown, ctx) => {
    if (raw !== null && typeof raw === 'object' && Object.prototype.hasOwnProperty.call(raw, '__proto__')) {
      ctx.issues.push({
        code: 'custom',
        path: ['__proto__'],
        input: raw,
        message:
          'tag key "__proto__" is refused: ptc-autopilot keeps tags in JavaScript objects, where that key cannot be stored; rename the tag',
      });
    }
    return raw;
  }),
  z.record(z.string(), tagValue).check(
    z.superRefine((tags, ctx) => {
      for (const key of Object.keys(tags)) {
        const problem = tagKeyProblem(key);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: problem });
      }
    }),
  ),
);
