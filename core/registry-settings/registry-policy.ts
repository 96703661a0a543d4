/**
 * The registry permissions policy a cross-account replication destination needs, and its merge
 * into the destination registry's one policy document. Our statement is the one with Sid
 * `PtcAutopilotReplicationAccess`; every other statement, and every other key of the document,
 * stays as it is.
 */
import type { PolicyStatement } from '../policy/repository-policy';
import { OWNED_SID_PREFIX } from '../policy/repository-policy';
import { PtcError } from '../errors';
import type { MergeAction } from './types';

/** The Sid of the one registry policy statement ptc-autopilot writes. */
export const REGISTRY_POLICY_SID = `${OWNED_SID_PREFIX}ReplicationAccess`;

/** What cross-account replication into a registry needs, and nothing more (ECR User Guide, registry policy examples). */
export const REPLICATION_ACTIONS = ['ecr:CreateRepository', 'ecr:ReplicateImage'] as const;

/** Which source accounts may replicate into which repositories of this registry. */
export interface RegistryPolicyIntent {
  /** Source accounts, 12 digits each. */
  readonly sourceAccounts: readonly string[];
  /** Repository ARN patterns in this registry (`arn:aws:ecr:<region>:<account>:repository/<prefix>/*`). */
  readonly repositoryArns: readonly string[];
  /** The partition of this registry. @default 'aws' */
  readonly partition?: string;
}

/** The registry policy's existing text is not a JSON policy document. */
export class RegistryPolicyParseError extends PtcError {}

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

/** The outcome of a registry policy merge. */
export interface RegistryPolicyMerge {
  /** The policy text to put; undefined when the policy should be deleted (or stay absent). */
  readonly policyText?: string;
  /** Whether anything must be written (put or delete). */
  readonly changed: boolean;
  /** Statements of other owners kept. */
  readonly foreign: number;
}

/**
 * Merges our statement into (or, on Delete, out of) a registry policy.
 *
 * @param currentText the policy text from `GetRegistryPolicy`, undefined when the registry has none.
 * @throws RegistryPolicyParseError when the current text is not a policy document.
 */
export function mergeRegistryPolicy(currentText: string | undefined, change: { action: MergeAction; intent: RegistryPolicyIntent }): RegistryPolicyMerge {
  const document = parsePolicy(currentText);
  const statements = toArray(document.Statement);
  const isOurs = (s: unknown) => typeof s === 'object' && s !== null && (s as { Sid?: unknown }).Sid === REGISTRY_POLICY_SID;
  const wanted = change.action !== 'Delete' && change.intent.sourceAccounts.length > 0 && change.intent.repositoryArns.length > 0;
  const desired = wanted ? [registryPolicyStatement(change.intent)] : [];
  const next: unknown[] = [];
  let placed = false;
  for (const statement of statements) {
    if (!isOurs(statement)) next.push(statement);
    else if (!placed) {
      next.push(...desired);
      placed = true;
    }
  }
  if (!placed) next.push(...desired);
  const foreign = next.length - desired.length;
  const changed = JSON.stringify(statements) !== JSON.stringify(next);
  if (next.length === 0) return { changed: currentText !== undefined && changed, foreign };
  const { Statement: _old, ...rest } = document;
  const policyText = JSON.stringify({ Version: '2012-10-17', ...rest, Statement: next });
  return { policyText, changed, foreign };
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
    throw new RegistryPolicyParseError('the registry permissions policy is not a JSON object; fix it in the ECR console, then deploy again');
  }
  return parsed as Record<string, unknown>;
}

function toArray(statement: unknown): unknown[] {
  if (statement === undefined) return [];
  return Array.isArray(statement) ? statement : [statement];
}
