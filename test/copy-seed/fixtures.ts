/**
 * What the seed tests share: invented digests (one hex digit repeated, well formed and matching
 * nothing real) and the Docker Hub rule with its pull-through cache secret that seeds them.
 */
export const D1 = `sha256:${'1'.repeat(64)}`;
export const D2 = `sha256:${'2'.repeat(64)}`;
export const D3 = `sha256:${'3'.repeat(64)}`;

/** The config's target: account and Region. */
export const WHERE = { account: '111122223333', region: 'eu-west-2' } as const;

/** A `docker-hub` rule with its `ecr-pullthroughcache/docker-hub` secret, seeding `seeds`. */
export function dockerHubSeeding(seeds: string[]) {
  return { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' }, seeds };
}
