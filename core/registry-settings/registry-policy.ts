/**
 * The registry permissions policy ptc-autopilot merges into a registry's one policy document:
 * - `PtcAutopilotReplicationAccess`, which a cross-account replication destination needs;
 * - the first-pull statements (`PtcAutopilotFirstPullAccounts`, `...Organizations`,
 *   `...OrganizationalUnits`, numbered `2`, `3`, ... when overrides give prefixes different
 *   principals), which let the accounts, organizations and OUs allowed to pull also create the
 *   cache repository and import an image not cached yet. `ecr:CreateRepository` "can be granted by
 *   either an identity-based IAM policy or the private registry permissions policy" (ECR User
 *   Guide, "IAM permissions required to sync an upstream registry with an Amazon ECR private
 *   registry", https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html),
 *   so another account's node cannot create a repository in the hub without this statement.
 * Our statements are those whose Sid is one of these; every other statement, and every other key
 * of the document, stays as it is.
 */
import type { PolicyStatement } from '../policy/repository-policy';
import { OWNED_SID_PREFIX, principalStatements } from '../policy/repository-policy';
import { FIRST_PULL_ACTIONS } from '../policy/node-policy';
import { PtcError } from '../errors';
import { RegistryLimitError } from './errors';
import type { MergeAction } from './types';

/** The Sid of the replication statement ptc-autopilot writes. */
export const REGISTRY_POLICY_SID = `${OWNED_SID_PREFIX}ReplicationAccess`;

/** The Sids of the first statement of each kind of first-pull grant; later groups append 2, 3, ... */
export const FIRST_PULL_SIDS = {
  accounts: `${OWNED_SID_PREFIX}FirstPullAccounts`,
  organizations: `${OWNED_SID_PREFIX}FirstPullOrganizations`,
  organizationalUnits: `${OWNED_SID_PREFIX}FirstPullOrganizationalUnits`,
} as const;

const FIRST_PULL_SID = new RegExp(`^(${Object.values(FIRST_PULL_SIDS).join('|')})([2-9]|[1-9]\\d+)?$`);

/** What cross-account replication into a registry needs, and nothing more (ECR User Guide, registry policy examples). */
export const REPLICATION_ACTIONS = ['ecr:CreateRepository', 'ecr:ReplicateImage'] as const;

/**
 * The maximum length of a registry policy: PutRegistryPolicy `policyText`, "Maximum length of
 * 10240" (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutRegistryPolicy.html).
 */
export const REGISTRY_POLICY_MAX_CHARS = 10_240;

/** Prefixes (as repository ARN patterns) whose repositories the same principals may first-pull. */
export interface FirstPullGroup {
  /** Account IDs, organization IDs or normalized OU paths, sorted. */
  readonly principals: readonly string[];
  /** `arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*`, in rule order. */
  readonly repositoryArns: readonly string[];
}

/** The first-pull grants of a registry, grouped by principal set within each kind of principal. */
export interface FirstPullIntent {
  readonly accounts: readonly FirstPullGroup[];
  readonly organizations: readonly FirstPullGroup[];
  readonly organizationalUnitPaths: readonly FirstPullGroup[];
}

/** Which source accounts may replicate into which repositories of this registry, and who may first-pull. */
export interface RegistryPolicyIntent {
  /** Source accounts, 12 digits each. */
  readonly sourceAccounts: readonly string[];
  /** Repository ARN patterns in this registry (`arn:aws:ecr:<region>:<account>:repository/<prefix>/*`). */
  readonly repositoryArns: readonly string[];
  /** The partition of this registry. @default 'aws' */
  readonly partition?: string;
  /** The first-pull grants. @default none */
  readonly firstPull?: FirstPullIntent;
}

/** The registry policy's existing text is not a JSON policy document. */
export class RegistryPolicyParseError extends PtcError {}

/** Whether a registry policy statement is one ptc-autopilot writes (by exact Sid). */
export function isOwnedRegistryStatement(statement: unknown): boolean {
  if (typeof statement !== 'object' || statement === null) return false;
  const sid = (statement as { Sid?: unknown }).Sid;
  return typeof sid === 'string' && (sid === REGISTRY_POLICY_SID || FIRST_PULL_SID.test(sid));
}

/**
 * The statement that lets the source accounts replicate into the managed prefixes.
 * @example
 * registryPolicyStatement({ sourceAccounts: ['111122223333'], repositoryArns: ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*'] })
 * // { Sid: 'PtcAutopilotReplicationAccess', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root'] }, ... }
 */
export function registryPolicyStatement(intent: RegistryPolicyIntent): PolicyStatement {
  const partition = intent.partition ?? 'aws';
  return {
    Sid: REGISTRY_POLICY_SID,
    Effect: 'Allow',
    Principal: { AWS: [...new Set(intent.sourceAccounts)].sort().map((a) => `arn:${partition}:iam::${a}:root`) },
    Action: [...REPLICATION_ACTIONS],
    Resource: [...intent.repositoryArns],
  };
}

const numbered = (sid: string, index: number): string => (index === 0 ? sid : `${sid}${index + 1}`);

/**
 * The first-pull statements: per kind of principal, one statement per group of prefixes sharing
 * the same principals, each on exactly those prefixes' repositories.
 */
export function firstPullStatements(intent: FirstPullIntent | undefined, partition = 'aws'): PolicyStatement[] {
  if (intent === undefined) return [];
  const none: string[] = [];
  const statements: PolicyStatement[] = [];
  const kinds = [
    ['accounts', FIRST_PULL_SIDS.accounts],
    ['organizations', FIRST_PULL_SIDS.organizations],
    ['organizationalUnitPaths', FIRST_PULL_SIDS.organizationalUnits],
  ] as const;
  for (const [kind, sid] of kinds) {
    intent[kind]
      .filter((g) => g.principals.length > 0 && g.repositoryArns.length > 0)
      .forEach((group, i) => {
        const principals = { accounts: none, organizations: none, organizationalUnitPaths: none, [kind]: group.principals };
        const name = numbered(sid, i);
        statements.push(
          ...principalStatements(
            principals,
            FIRST_PULL_ACTIONS,
            partition,
            { accounts: name, organizations: name, organizationalUnits: name },
            group.repositoryArns,
          ),
        );
      });
  }
  return statements;
}

/** Every statement ptc-autopilot wants in the registry policy: replication first, then first pulls. */
export function registryPolicyStatements(intent: RegistryPolicyIntent): PolicyStatement[] {
  const replication = intent.sourceAccounts.length > 0 && intent.repositoryArns.length > 0 ? [registryPolicyStatement(intent)] : [];
  return [...replication, ...firstPullStatements(intent.firstPull, intent.partition)];
}

/**
 * Characters as ECR's length constraints count them (code points, not UTF-16 units).
 */
export function policyCharacters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The outcome of a registry policy merge. */
export interface RegistryPolicyMerge {
  /** The policy text to put; undefined when the policy should be deleted (or stay absent). */
  readonly policyText?: string;
  /** Whether anything must be written (put or delete). */
  readonly changed: boolean;
  /** Statements of other owners kept. */
  readonly foreign: number;
  /** Statements of ptc-autopilot in the merged policy. */
  readonly ours: number;
}

/**
 * Merges our statements into (or, on Delete, out of) a registry policy. Ours go where the first
 * of them was (at the end when there was none); a statement we used to write but no longer want
 * (a Sid of ours that the intent does not produce) is removed.
 *
 * @param currentText the policy text from `GetRegistryPolicy`, undefined when the registry has none.
 * @throws RegistryPolicyParseError when the current text is not a policy document.
 * @throws RegistryLimitError when the merged policy would exceed `REGISTRY_POLICY_MAX_CHARS`; nothing is written.
 */
export function mergeRegistryPolicy(
  currentText: string | undefined,
  change: { action: MergeAction; intent: RegistryPolicyIntent },
): RegistryPolicyMerge {
  const document = parsePolicy(currentText);
  const statements = toArray(document.Statement);
  const desired = change.action === 'Delete' ? [] : registryPolicyStatements(change.intent);
  const next: unknown[] = [];
  let placed = false;
  for (const statement of statements) {
    if (!isOwnedRegistryStatement(statement)) next.push(statement);
    else if (!placed) {
      next.push(...desired);
      placed = true;
    }
  }
  if (!placed) next.push(...desired);
  const foreign = next.length - desired.length;
  const changed = JSON.stringify(statements) !== JSON.stringify(next);
  if (next.length === 0) return { changed: currentText !== undefined && changed, foreign, ours: 0 };
  const { Statement: _old, ...rest } = document;
  const policyText = JSON.stringify({ Version: '2012-10-17', ...rest, Statement: next });
  const length = policyCharacters(policyText);
  if (changed && length > REGISTRY_POLICY_MAX_CHARS) {
    const ours = desired.reduce<number>((n, st) => n + policyCharacters(JSON.stringify(st)), 0);
    throw new RegistryLimitError(
      'repositories',
      `the registry policy with our statements would be ${length} characters (ours take ${ours}, ${foreign} statements not created by ptc-autopilot the rest); ECR allows ${REGISTRY_POLICY_MAX_CHARS}. Nothing was written and no statement was cut: shorten the foreign statements or the config's pull accounts, organizations and OUs`,
    );
  }
  return { policyText, changed, foreign, ours: desired.length };
}

function parsePolicy(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RegistryPolicyParseError('the registry permissions policy is not valid JSON; fix it in the ECR console, then deploy again');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryPolicyParseError(
      'the registry permissions policy is not a JSON object; fix it in the ECR console, then deploy again',
    );
  }
  return parsed as Record<string, unknown>;
}

function toArray(statement: unknown): unknown[] {
  if (statement === undefined) return [];
  return Array.isArray(statement) ? statement : [statement];
}
