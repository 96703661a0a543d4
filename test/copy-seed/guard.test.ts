/**
 * What a seed run asks AWS, through aws-sdk-client-mock with the documented shapes: GetLifecyclePolicy
 * per cache repository (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetLifecyclePolicy.html:
 * `lifecyclePolicyText`, `LifecyclePolicyNotFoundException`, `RepositoryNotFoundException`) decides
 * whether seeding there is safe; GetSecretValue reads the rule's own `ecr-pullthroughcache/...`
 * secret for the upstream session.
 */
import { ECRClient, GetLifecyclePolicyCommand, LifecyclePolicyNotFoundException, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { canonicalJson, lifecyclePolicy, parseConfig } from '../../core';
import { seedJobs } from '../../core/copy/seeds';
import { seedPolicyProblem } from '../../core/policy/seed-rule';
import { seedGuard, seedSessions } from '../../engines/copy/seed-sources';
import { CopyCredentialsError } from '../../engines/copy/credentials';
import { D1, D2, D3, dockerHubSeeding, WHERE } from './fixtures';

const ecr = mockClient(ECRClient);
const secrets = mockClient(SecretsManagerClient);

const config = parseConfig({
  ...WHERE,
  rules: [
    dockerHubSeeding([`nginx@${D1}`, `nginx:1.27@${D2}`, `bitnami/redis@${D3}`]),
    { prefix: 'quay', upstream: 'quay', seeds: [`quay.io/prometheus/node-exporter@${D1}`] },
    { prefix: 'k8s', upstream: 'k8s' },
  ],
});
const jobs = seedJobs(config);
const notFound = (E: typeof LifecyclePolicyNotFoundException | typeof RepositoryNotFoundException) =>
  new E({ message: 'not found', $metadata: {} });

beforeEach(() => {
  ecr.reset();
  secrets.reset();
});

describe('the lifecycle guard', () => {
  test('asks once per cache repository; ours with the seed rule, no policy and no repository yet are safe', async () => {
    ecr
      .on(GetLifecyclePolicyCommand, { repositoryName: 'docker-hub/library/nginx' })
      .resolves({
        registryId: '111122223333',
        repositoryName: 'docker-hub/library/nginx',
        lifecyclePolicyText: canonicalJson(lifecyclePolicy({ keepLastTagged: 100, protectSeeds: true })),
      })
      .on(GetLifecyclePolicyCommand, { repositoryName: 'docker-hub/bitnami/redis' })
      .rejects(notFound(LifecyclePolicyNotFoundException))
      .on(GetLifecyclePolicyCommand, { repositoryName: 'quay/prometheus/node-exporter' })
      .rejects(notFound(RepositoryNotFoundException));
    expect(await seedGuard(new ECRClient({ region: 'eu-west-2' }), jobs)).toEqual(new Map());
    expect(ecr).toHaveReceivedCommandTimes(GetLifecyclePolicyCommand, 3);
    expect(ecr).toHaveReceivedCommandWith(GetLifecyclePolicyCommand, { repositoryName: 'docker-hub/library/nginx' });
  });

  test("refuses a repository whose policy is the user's own, one from before the rule had seeds, and one it cannot read", async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    ecr
      .on(GetLifecyclePolicyCommand, { repositoryName: 'docker-hub/library/nginx' })
      .resolves({ lifecyclePolicyText: canonicalJson(lifecyclePolicy({ untaggedExpireDays: 7, keepLastTagged: 100 })) })
      .on(GetLifecyclePolicyCommand, { repositoryName: 'docker-hub/bitnami/redis' })
      .resolves({
        lifecyclePolicyText: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 },
              action: { type: 'expire' },
            },
          ],
        }),
      })
      .on(GetLifecyclePolicyCommand, { repositoryName: 'quay/prometheus/node-exporter' })
      .rejects(denied);
    expect(await seedGuard(new ECRClient({ region: 'eu-west-2' }), jobs)).toEqual(
      new Map([
        ['docker-hub/library/nginx', 'its lifecycle policy does not keep ptc-seed-* tags first, so a seed could expire'],
        ['docker-hub/bitnami/redis', 'its lifecycle policy does not keep ptc-seed-* tags first, so a seed could expire'],
        ['quay/prometheus/node-exporter', 'its lifecycle policy cannot be read (AccessDeniedException)'],
      ]),
    );
  });

  test('a policy with an archive rule is refused even with the seed rule first', () => {
    const withArchive = lifecyclePolicy({ keepLastTagged: 100, archiveUnpulledDays: 30, protectSeeds: true });
    expect(seedPolicyProblem(canonicalJson(withArchive))).toBe(
      'its lifecycle policy archives images, which no tag is documented to prevent',
    );
    expect(seedPolicyProblem('{not json')).toBe('its lifecycle policy is not JSON');
  });
});

describe('the upstream sessions of seeded rules', () => {
  test("read each rule's own pull-through-cache secret once, keyed by the host the rule reads; an anonymous rule reads none", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'ecr-pullthroughcache/docker-hub' }).resolves({
      Name: 'ecr-pullthroughcache/docker-hub',
      SecretString: JSON.stringify({ username: 'hubuser', accessToken: 'dckr_pat_x' }),
    });
    const sessions = await seedSessions(config.rules, { secrets: async () => new SecretsManagerClient({ region: 'eu-west-2' }) });
    try {
      expect([...sessions.keys()]).toEqual(['registry-1.docker.io', 'quay.io']);
      expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
      expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'ecr-pullthroughcache/docker-hub' });
    } finally {
      for (const s of sessions.values()) s.close();
    }
  });

  test('a secret still holding the placeholder stops the run before any session is made', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"","accessToken":""}' });
    await expect(seedSessions(config.rules, { secrets: async () => new SecretsManagerClient({ region: 'eu-west-2' }) })).rejects.toThrow(
      CopyCredentialsError,
    );
  });
});
