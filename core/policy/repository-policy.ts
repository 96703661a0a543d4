/**
 * Repository policy statements that grant pull access to other accounts and to whole AWS
 * Organizations. Statements we own carry one of a fixed set of `Sid`s; anything else in a
 * repository policy belongs to someone else and is never touched.
 */
import type { EffectiveSettings } from './settings';

/** The actions a pull needs, and nothing more. */
export const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/** The prefix of every `Sid` we write. */
export const OWNED_SID_PREFIX = 'PtcAutopilot';

/** The exact `Sid`s ptc-autopilot writes. A statement is ours only when its Sid is one of these. */
export const OWNED_SIDS = {
  crossAccountPull: `${OWNED_SID_PREFIX}CrossAccountPull`,
  organizationPull: `${OWNED_SID_PREFIX}OrganizationPull`,
} as const;

/** An IAM policy statement as it appears in a repository policy. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A repository policy document. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Whether a statement was written by ptc-autopilot (its Sid is one of `OWNED_SIDS`). */
export function isOwnedStatement(statement: { Sid?: unknown }): boolean {
  return typeof statement.Sid === 'string' && (Object.values(OWNED_SIDS) as string[]).includes(statement.Sid);
}

/**
 * The statements ptc-autopilot wants on every repository with these settings; empty when no
 * account or organization needs access.
 * @example
 * pullStatements({ ...settings, pullAccounts: ['444455556666'], pullOrganizations: [] })
 * // [{ Sid: 'PtcAutopilotCrossAccountPull', Principal: { AWS: ['arn:aws:iam::444455556666:root'] }, ... }]
 */
export function pullStatements(settings: Pick<EffectiveSettings, 'pullAccounts' | 'pullOrganizations'>, partition = 'aws'): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (settings.pullAccounts.length > 0) {
    statements.push({
      Sid: OWNED_SIDS.crossAccountPull,
      Effect: 'Allow',
      Principal: { AWS: [...settings.pullAccounts].sort().map((a) => `arn:${partition}:iam::${a}:root`) },
      Action: [...PULL_ACTIONS],
    });
  }
  if (settings.pullOrganizations.length > 0) {
    statements.push({
      Sid: OWNED_SIDS.organizationPull,
      Effect: 'Allow',
      Principal: '*',
      Action: [...PULL_ACTIONS],
      Condition: { StringEquals: { 'aws:PrincipalOrgID': [...settings.pullOrganizations].sort() } },
    });
  }
  return statements;
}

/** Wraps statements in a policy document, or returns undefined when there are none. */
export function policyDocument(statements: PolicyStatement[]): PolicyDocument | undefined {
  return statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements };
}
