/**
 * Invented configs for the consumer tests: a hub in two Regions of one account (derived from
 * test/infra/helpers.ts `everyFeatureTwoEnvironments`), two listed consumer accounts and two OUs
 * deployed by a StackSet from a delegated administrator. Account, organization and OU IDs have the
 * shapes AWS documents and belong to no one.
 */
import { parseConfig, type PtcConfig } from '../../core';
import { everyFeatureTwoEnvironments } from '../infra/helpers';

export const HUB_ACCOUNT = '111122223333';
export const PAYMENTS_ACCOUNT = '444455556666';
export const SEARCH_ACCOUNT = '777788889999';
export const DELEGATED_ADMIN = '222233334444';
export const OU_PAYMENTS = 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/';
export const OU_NESTED = 'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/ou-ab12-33333333';

/** The hub config of `everyFeatureTwoEnvironments` with `consumers` added. */
export function hubWithConsumers(consumers: unknown = defaultConsumers()): PtcConfig {
  const hub = JSON.parse(JSON.stringify(everyFeatureTwoEnvironments())) as Record<string, unknown>;
  return parseConfig({ ...hub, consumers });
}

/** Both spellings combined: listed accounts and OUs. */
export function defaultConsumers(): Record<string, unknown> {
  return {
    organizationalUnits: [OU_PAYMENTS, OU_NESTED],
    regions: ['eu-west-2', 'us-east-1'],
    nodeRoleNames: ['eks-nodes', '/karpenter/KarpenterNodeRole'],
    delegatedAdminAccount: DELEGATED_ADMIN,
    environment: 'prod-eu',
    accounts: [
      {
        name: 'payments',
        account: PAYMENTS_ACCOUNT,
        nodeRoleArns: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:role/eks-nodes`],
        environment: 'prod-eu',
      },
      {
        name: 'search',
        account: SEARCH_ACCOUNT,
        regions: ['us-east-1', 'eu-west-2'],
        nodeRoleArns: [`arn:aws:iam::${SEARCH_ACCOUNT}:role/nodes`],
      },
    ],
  };
}

/** A one-environment hub with rules only (the StackSet size test grows it). */
export function smallHub(extra: Record<string, unknown> = {}): PtcConfig {
  return parseConfig({
    account: HUB_ACCOUNT,
    region: 'eu-west-2',
    rules: [
      { prefix: 'k8s', upstream: 'k8s' },
      { prefix: 'quay', upstream: 'quay' },
    ],
    ...extra,
  });
}
