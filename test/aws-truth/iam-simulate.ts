/**
 * One IAM request evaluated by `@cloud-copilot/iam-simulate` (identity policies of the caller, the
 * resource policy of what it calls, cross-account rules as IAM applies them), answered as allowed
 * or denied with the statements that decided. Strict mode: context keys are exactly those given.
 * Validation errors (an unknown action, a resource ARN of the wrong type, a malformed policy)
 * throw, so a typo can never pass as a denial.
 */
import { getDenialReasons, getGrantReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/** A policy document as IAM takes it. */
export interface PolicyJson {
  readonly Version?: string;
  /** A statement or a list of them. */
  readonly Statement: unknown;
}

/** One request to simulate. */
export interface SimulatedRequest {
  /** The calling principal, such as `arn:aws:iam::222233334444:role/eks-node`. */
  readonly principal: string;
  /** Such as `ecr:BatchImportUpstreamImage`. */
  readonly action: string;
  /** The resource ARN called, such as `arn:aws:ecr:us-east-1:444455556666:repository/k8s/pause`. */
  readonly resource: string;
  /** The account owning the resource. */
  readonly resourceAccount: string;
  /** Policies attached to the principal, by name. */
  readonly identityPolicies: Readonly<Record<string, PolicyJson>>;
  /** The resource's policy (repository policy, registry policy), if any. */
  readonly resourcePolicy?: PolicyJson;
  /** Request context keys, such as `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths` (multivalued), `aws:PrincipalAccount`. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** The answer: allowed or denied, and why. */
export interface SimulatedDecision {
  readonly allowed: boolean;
  /** `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`. */
  readonly result: string;
  /** For an allowed request, the granting statements (`identity:<policy>#<Sid>`, `resource#<Sid>`); for a denied one, what denied it (`resource:Implicit`, ...). */
  readonly reasons: readonly string[];
}

/** The simulator refused the request as given (bad action, resource type, policy or context key). */
export class SimulationInputError extends Error {}

/**
 * Simulates one request.
 * @example
 * await simulate({ principal, action: 'ecr:CreateRepository', resource, resourceAccount: '444455556666', identityPolicies: { node }, resourcePolicy: registryPolicy })
 * // { allowed: true, result: 'Allowed', reasons: ['identity:node#PullThroughCacheFirstPull', 'resource#PtcAutopilotFirstPullAccounts'] }
 */
export async function simulate(request: SimulatedRequest): Promise<SimulatedDecision> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: Object.fromEntries(Object.entries(request.context ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : [...v]])),
    },
    identityPolicies: Object.entries(request.identityPolicies).map(([name, policy]) => ({ name, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy !== undefined ? { resourcePolicy: request.resourcePolicy } : {}),
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') throw new SimulationInputError(JSON.stringify(response.errors));
  if (response.resultType !== 'single')
    throw new SimulationInputError(`expected one resource, the simulator expanded ${request.resource} into several`);
  const analysis = response.result.analysis;
  const allowed = response.overallResult === 'Allowed';
  const reasons = allowed
    ? getGrantReasons(analysis).map((g) =>
        g.policyType === 'resource'
          ? `resource#${g.statementId ?? g.statementIndex}`
          : `${g.policyType}:${'policyIdentifier' in g ? g.policyIdentifier : ''}#${g.statementId ?? g.statementIndex}`,
      )
    : getDenialReasons(analysis).map(
        (d) => `${d.policyType}:${d.denialType}${d.denialType === 'Explicit' ? `#${d.statementId ?? d.statementIndex}` : ''}`,
      );
  return { allowed, result: response.overallResult, reasons };
}
