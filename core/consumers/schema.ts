/**
 * The `consumers` key: accounts whose nodes pull through a hub account's cache. Two spellings, as
 * issue 14 gives them, and their combination:
 *
 * - a list of accounts: `consumers: [{ name, account, regions?, nodeRoleArns?, environment? }]`;
 * - an organization block: `consumers: { organizationalUnits, regions, nodeRoleNames?,
 *   delegatedAdminAccount?, name?, environment?, accounts? }`, whose `accounts` is the same list.
 *
 * Both parse to one normalized shape (`ConsumersConfig`) that remembers which spelling it came
 * from, so every error names the field as the user wrote it (`consumers[1].nodeRoleArns[0]` or
 * `consumers.accounts[1].nodeRoleArns[0]`).
 */
import * as z from 'zod/mini';
import { accountId, described, region, roleArn, strictObject } from '../config/fields';
import { quote } from '../quote';

/** What a consumer name must be: it ends the stack name `PtcAutopilot-consumer-<name>`. */
export const CONSUMER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** A consumer name: a letter, then letters, digits and "-", 64 characters at most. */
export const consumerName = z.string({ error: 'must be a name such as "payments-prod"' }).check(
  z.regex(CONSUMER_NAME_PATTERN, {
    error: (i) =>
      `${quote(String(i.input))} must start with a letter and hold only letters, digits and "-", at most 64 characters (it names the stack PtcAutopilot-consumer-<name>)`,
  }),
);

/**
 * An OU path as AWS writes `aws:PrincipalOrgPaths` values: `o-<org>/r-<root>/ou-<...>/...`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths).
 * The ID patterns are those of the Organizations API (OrganizationId, RootId, OrganizationalUnitId).
 */
export const OU_PATH_PATTERN = /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}(?:\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})*\/?$/;

/** An OU path, normalized to end in `/` (as AWS writes it). */
export const organizationalUnitPath = z.pipe(
  z.string({ error: 'must be an OU path such as "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"' }).check(
    z.regex(OU_PATH_PATTERN, {
      error: (i) =>
        `must be an OU path as aws:PrincipalOrgPaths writes it, such as "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/" (organization, root, then OUs down to the one to deploy to), got ${quote(String(i.input))}`,
    }),
  ),
  z.transform((v: string) => (v.endsWith('/') ? v : `${v}/`)),
);

/**
 * A node role name, optionally with its IAM path (`eks-nodes` or `/eks/eks-nodes`): the same role
 * in every account of the OUs. IAM names are 1 to 64 of `[\w+=,.@-]`, paths `/`-delimited
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
 */
export const nodeRoleName = z.string({ error: 'must be a role name such as "eks-nodes"' }).check(
  z.regex(/^(?:\/(?:[\x21-\x7e]+\/)*)?[\w+=,.@-]{1,64}$/, {
    error: (i) =>
      `must be an IAM role name such as "eks-nodes" (optionally with its path, "/eks/eks-nodes"), not an ARN: the role is found by name in each account; got ${quote(String(i.input))}`,
  }),
);

const regionList = z.array(region).check(z.minLength(1, { error: 'list at least one Region, or remove the key' }));

/** One listed consumer account: gets the plain stack `PtcAutopilot-consumer-<name>`. */
export const consumerAccount = strictObject({
  name: described(z.clone(consumerName), 'names the stack `PtcAutopilot-consumer-<name>`'),
  account: described(z.clone(accountId), 'the consumer account (12 digits, quoted)'),
  regions: described(
    z.optional(regionList),
    "Regions whose nodes use the hub: the first gets the stack with the node policy and the node config parameters, each further one a stack with the parameters only. Unset: the hub environment's Region",
  ),
  nodeRoleArns: described(z.optional(z.array(roleArn)), 'node roles of this account that get the consumer node policy attached'),
  environment: described(z.optional(z.string()), 'the hub environment (`environments[].name`) this consumer pulls through'),
});

const accountList = z.array(consumerAccount);

/** The organization block: accounts of OUs get their side by a service-managed StackSet. */
export const consumerOrganization = strictObject({
  name: described(z._default(consumerName, 'organization'), 'names the StackSet (`PtcAutopilot-consumer-<name>`) and its parameters'),
  organizationalUnits: described(
    z.optional(z.array(organizationalUnitPath)),
    'OUs (or a root) whose accounts, present and future, are consumers',
  ),
  regions: described(
    z.optional(regionList),
    "Regions of the StackSet's stack instances; the first also holds the node policy (IAM is global)",
  ),
  nodeRoleNames: described(z.optional(z.array(nodeRoleName)), 'role names (the same in every account) that get the node policy attached'),
  delegatedAdminAccount: described(
    z.optional(accountId),
    "the delegated administrator account for CloudFormation StackSets, where the StackSet is created; unset: the hub account, which must be the organization's management account",
  ),
  environment: described(z.optional(z.string()), 'the hub environment the OUs pull through'),
  accounts: described(z.optional(accountList), 'listed accounts, as in the list form'),
});

/** One listed consumer account after parsing. */
export type ConsumerAccountConfig = z.output<typeof consumerAccount>;

/** The OU part of the consumers, after parsing. */
export interface ConsumerOrganizationConfig {
  readonly name: string;
  readonly organizationalUnits: readonly string[];
  readonly regions: readonly string[];
  readonly nodeRoleNames: readonly string[];
  readonly delegatedAdminAccount?: string | undefined;
  readonly environment?: string | undefined;
}

/** The parsed `consumers` key, one shape for both spellings. */
export interface ConsumersConfig {
  /** `list` for `consumers: [...]`, `object` for `consumers: { ... }`: how paths are written. */
  readonly form: 'list' | 'object';
  readonly accounts: readonly ConsumerAccountConfig[];
  /** Present when the block lists organizational units. */
  readonly organization?: ConsumerOrganizationConfig | undefined;
}

/** The `consumers` schema: either spelling, normalized; errors located where the user wrote them. The JSON Schema documents it as either form (`CONSUMERS_FORMS`). */
export const consumersSchema = z.pipe(
  z.unknown(),
  z.transform((value: unknown, ctx): ConsumersConfig => {
    if (Array.isArray(value)) {
      const parsed = accountList.safeParse(value);
      if (parsed.success) return { form: 'list', accounts: parsed.data };
      for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', input: value, path: issue.path, message: issue.message });
      return z.NEVER;
    }
    if (value === null || typeof value !== 'object') {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: 'must be a list of accounts ([{ name, account, ... }]) or a block ({ organizationalUnits, regions, ... })',
      });
      return z.NEVER;
    }
    const parsed = consumerOrganization.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.issues.push({ code: 'custom', input: value, path: issue.path, message: issue.message });
      return z.NEVER;
    }
    const o = parsed.data;
    const ous = o.organizationalUnits ?? [];
    if (ous.length === 0) {
      for (const key of ['regions', 'nodeRoleNames', 'delegatedAdminAccount'] as const) {
        if (o[key] !== undefined)
          ctx.issues.push({
            code: 'custom',
            input: value,
            path: [key],
            message: `"${key}" goes with "organizationalUnits"; list the OUs, or give listed accounts their own keys`,
          });
      }
      if (o.accounts === undefined)
        ctx.issues.push({ code: 'custom', input: value, message: 'list "organizationalUnits" and/or "accounts"' });
      return { form: 'object', accounts: o.accounts ?? [] };
    }
    if (o.regions === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        path: ['regions'],
        message: 'required with "organizationalUnits": the Regions the StackSet deploys to',
      });
      return z.NEVER;
    }
    return {
      form: 'object',
      accounts: o.accounts ?? [],
      organization: {
        name: o.name,
        organizationalUnits: ous,
        regions: o.regions,
        nodeRoleNames: o.nodeRoleNames ?? [],
        ...(o.delegatedAdminAccount !== undefined ? { delegatedAdminAccount: o.delegatedAdminAccount } : {}),
        ...(o.environment !== undefined ? { environment: o.environment } : {}),
      },
    };
  }),
);

/** The two spellings of `consumers`, for the JSON Schema and the README's reference (the transform above reads both). */
export const CONSUMERS_FORMS = [accountList, consumerOrganization] as const;
