/**
 * What the hub must grant: every consumer account, by account ID, and every consumer OU, by the
 * `aws:PrincipalOrgPaths` value of its path. The hub's pull and first-pull grants union these
 * into their principals, so a consumer listed here is never left without the hub's side.
 */
import type { PtcConfig } from '../config/schema';

/** The principals the hub grants pull and first pull to on behalf of the consumers. */
export interface ConsumerPrincipals {
  /** Listed consumer accounts (12 digits), sorted, unique. */
  readonly accounts: string[];
  /** OU paths (`o-.../r-.../ou-.../`, ending in `/`), sorted, unique. */
  readonly organizationalUnitPaths: string[];
}

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/**
 * The consumers of a config as hub principals.
 * @example
 * consumerPrincipals(config) // { accounts: ['444455556666'], organizationalUnitPaths: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'] }
 */
export function consumerPrincipals(config: Pick<PtcConfig, 'consumers'>): ConsumerPrincipals {
  const c = config.consumers;
  return {
    accounts: sortedUnique((c?.accounts ?? []).map((a) => a.account)),
    organizationalUnitPaths: sortedUnique(c?.organization?.organizationalUnits ?? []),
  };
}
