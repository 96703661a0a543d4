import {
  DescribePullThroughCacheRulesCommand,
  ECRClient,
  PullThroughCacheRuleNotFoundException,
  ServerException,
  ValidatePullThroughCacheRuleCommand,
  ValidationException,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationIncompleteError } from '../../functions/validate-rules/errors';
import { validateRules } from '../../functions/validate-rules/validate';
import { fixture, recordingLog, recordingMetrics, validationConfig } from './helpers';

const ecrMock = mockClient(ECRClient);
const secretsMock = mockClient(SecretsManagerClient);
const eventsMock = mockClient(EventBridgeClient);

const DOCKER_HUB_SECRET = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf';
const GITHUB_SECRET = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/github-AbCdEf';
const REAL_TOKEN = fixture('validation/get-secret-value.credentials.json').SecretString as string;

function deps() {
  return {
    ecr: new ECRClient({}),
    secrets: new SecretsManagerClient({}),
    events: new EventBridgeClient({}),
    log: recordingLog(),
    metrics: recordingMetrics(),
  };
}

function validFor(prefix: string) {
  return { ...fixture('validation/validate-pull-through-cache-rule.valid.json'), ecrRepositoryPrefix: prefix };
}

beforeEach(() => {
  ecrMock.reset();
  secretsMock.reset();
  eventsMock.reset();
  ecrMock.on(DescribePullThroughCacheRulesCommand).resolves(fixture('validation/describe-pull-through-cache-rules.json'));
  for (const prefix of ['docker-hub', 'github', 'k8s'])
    ecrMock.on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: prefix }).resolves(validFor(prefix));
  secretsMock.on(GetSecretValueCommand).resolves(fixture('validation/get-secret-value.credentials.json'));
  eventsMock.on(PutEventsCommand).resolves(fixture('validation/put-events.response.json'));
});

describe('validateRules', () => {
  test('reports RuleValid 1 for every rule that exists, has real credentials and validates, and puts no event', async () => {
    const d = deps();
    const checks = await validateRules(validationConfig().rules, d);
    expect(checks.map((c) => [c.prefix, c.valid])).toEqual([
      ['docker-hub', true],
      ['github', true],
      ['k8s', true],
    ]);
    expect(d.metrics.values).toEqual([
      { name: 'RuleValid', value: 1, prefix: 'docker-hub' },
      { name: 'RuleValid', value: 1, prefix: 'github' },
      { name: 'RuleValid', value: 1, prefix: 'k8s' },
    ]);
    expect(ecrMock).toHaveReceivedCommandWith(DescribePullThroughCacheRulesCommand, { maxResults: 1000 });
    expect(ecrMock).toHaveReceivedCommandTimes(ValidatePullThroughCacheRuleCommand, 3);
    expect(ecrMock).toHaveReceivedCommandWith(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'k8s' });
    expect(eventsMock).not.toHaveReceivedCommand(PutEventsCommand);
  });

  test('reads each credential secret by the ARN the registry gives the rule', async () => {
    await validateRules(validationConfig().rules, deps());
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(secretsMock).toHaveReceivedNthSpecificCommandWith(1, GetSecretValueCommand, { SecretId: DOCKER_HUB_SECRET });
    expect(secretsMock).toHaveReceivedNthSpecificCommandWith(2, GetSecretValueCommand, { SecretId: GITHUB_SECRET });
  });

  test('says plainly that a secret still holds the placeholder, without asking ECR to validate that rule', async () => {
    secretsMock
      .on(GetSecretValueCommand, { SecretId: DOCKER_HUB_SECRET })
      .resolves(fixture('validation/get-secret-value.placeholder.json'));
    const d = deps();
    const checks = await validateRules(validationConfig().rules, d);
    expect(checks[0]).toMatchObject({ prefix: 'docker-hub', valid: false });
    expect(checks[0]!.failure).toMatch(
      /^the credential secret ecr-pullthroughcache\/docker-hub still holds the placeholder .* for Docker Hub in it$/,
    );
    expect(ecrMock).not.toHaveReceivedCommandWith(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'docker-hub' });
    expect(d.metrics.values).toContainEqual({ name: 'RuleValid', value: 0, prefix: 'docker-hub' });
    expect(d.log.lines).toContainEqual({
      level: 'error',
      message: 'pull through cache rule invalid',
      attributes: {
        prefix: 'docker-hub',
        upstream: 'docker-hub',
        upstreamRegistryUrl: 'registry-1.docker.io',
        failure: checks[0]!.failure,
      },
    });
  });

  test('puts one "Pull Through Cache Rule Validation Failed" event per failed rule with prefix, upstream and failure', async () => {
    ecrMock
      .on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'github' })
      .resolves(fixture('validation/validate-pull-through-cache-rule.invalid.json'));
    await validateRules(validationConfig().rules, deps());
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventsMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'ptc-autopilot',
          DetailType: 'Pull Through Cache Rule Validation Failed',
          Detail: JSON.stringify({
            prefix: 'github',
            upstream: 'github-container-registry',
            upstreamRegistryUrl: 'ghcr.io',
            failure: 'ECR cannot use the rule: Unable to authenticate with the upstream registry using the provided credentials.',
          }),
        },
      ],
    });
  });

  test('a rule in the config but not in the registry is a failure', async () => {
    const d = deps();
    const checks = await validateRules(validationConfig([{ prefix: 'quay', upstream: 'quay' }]).rules, d);
    expect(checks[3]).toEqual({
      prefix: 'quay',
      upstream: 'quay',
      valid: false,
      failure: expect.stringMatching(/^no pull through cache rule with prefix "quay" exists in the registry/),
    });
    expect(ecrMock).not.toHaveReceivedCommandWith(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'quay' });
    expect(d.metrics.values).toContainEqual({ name: 'RuleValid', value: 0, prefix: 'quay' });
  });

  test('follows DescribePullThroughCacheRules pages', async () => {
    const [first, ...rest] = fixture('validation/describe-pull-through-cache-rules.json').pullThroughCacheRules;
    ecrMock
      .on(DescribePullThroughCacheRulesCommand)
      .resolvesOnce({ pullThroughCacheRules: [first], nextToken: 'page-2' })
      .resolvesOnce({ pullThroughCacheRules: rest });
    const checks = await validateRules(validationConfig().rules, deps());
    expect(checks.every((c) => c.valid)).toBe(true);
    expect(ecrMock).toHaveReceivedNthSpecificCommandWith(2, DescribePullThroughCacheRulesCommand, {
      maxResults: 1000,
      nextToken: 'page-2',
    });
  });

  test('a secret that does not exist is a failure that names it', async () => {
    secretsMock
      .on(GetSecretValueCommand, { SecretId: GITHUB_SECRET })
      .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const checks = await validateRules(validationConfig().rules, deps());
    expect(checks[1]).toMatchObject({ prefix: 'github', valid: false });
    expect(checks[1]!.failure).toContain(`the credential secret ${GITHUB_SECRET} cannot be read (ResourceNotFoundException`);
  });

  test('a transient ECR error leaves that rule without a datapoint, reports the others, then throws so Lambda retries', async () => {
    ecrMock
      .on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'github' })
      .rejects(new ServerException({ message: 'internal error', $metadata: {} }));
    const d = deps();
    await expect(validateRules(validationConfig().rules, d)).rejects.toThrow(ValidationIncompleteError);
    expect(d.metrics.values.map((v) => v.prefix)).toEqual(['docker-hub', 'k8s']);
    expect(d.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'pull through cache rule not checked',
        attributes: expect.objectContaining({ prefix: 'github' }),
      }),
    );
  });

  test('a rule ECR no longer knows when validating is a failure', async () => {
    ecrMock
      .on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'github' })
      .rejects(new PullThroughCacheRuleNotFoundException({ message: 'rule not found', $metadata: {} }));
    const checks = await validateRules(validationConfig().rules, deps());
    expect(checks[1]).toMatchObject({ valid: false, failure: expect.stringContaining('PullThroughCacheRuleNotFoundException') });
  });

  test('an upstream without authentication that ECR declines to validate counts as valid', async () => {
    ecrMock
      .on(ValidatePullThroughCacheRuleCommand, { ecrRepositoryPrefix: 'k8s' })
      .rejects(new ValidationException({ message: 'the rule does not use credentials', $metadata: {} }));
    const checks = await validateRules(validationConfig().rules, deps());
    expect(checks[2]).toEqual({ prefix: 'k8s', upstream: 'k8s', upstreamRegistryUrl: 'registry.k8s.io', valid: true });
  });

  test('failure events go out ten per PutEvents call', async () => {
    ecrMock.on(DescribePullThroughCacheRulesCommand).resolves({ pullThroughCacheRules: [] });
    const extra = Array.from({ length: 9 }, (_, i) => ({ prefix: `team-${i}`, upstream: 'quay' }));
    await validateRules(validationConfig(extra).rules, deps());
    expect(eventsMock).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    const sizes = eventsMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 2]);
  });

  test('an event EventBridge refuses makes the run incomplete', async () => {
    secretsMock
      .on(GetSecretValueCommand, { SecretId: DOCKER_HUB_SECRET })
      .resolves(fixture('validation/get-secret-value.placeholder.json'));
    eventsMock
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(validateRules(validationConfig().rules, deps())).rejects.toThrow(/event for "docker-hub" not put \(InternalFailure/);
  });

  test('never logs a secret value', async () => {
    secretsMock
      .on(GetSecretValueCommand, { SecretId: DOCKER_HUB_SECRET })
      .resolves(fixture('validation/get-secret-value.placeholder.json'));
    const d = deps();
    await validateRules(validationConfig().rules, d);
    const logged = JSON.stringify(d.log.lines);
    expect(logged).not.toContain(JSON.parse(REAL_TOKEN).accessToken);
    expect(logged).not.toContain('"accessToken":""');
  });
});
