import { existsSync } from 'node:fs';
import { AuthorizationTokenError } from '../../functions/prewarm/errors';
import { PrewarmSettingsError, ReconcilerSettingsError, ValidationSettingsError } from '../../core/lambda-contracts/errors';
import { ValidationIncompleteError } from '../../functions/validate-rules/errors';
import { documentedEvents, withRepository } from './aws-events';
import { checkPolicyDocument } from './iam-check';
import { bundledFunctions, fixtureJson, runBundle, sent, type BundledFunction, type MockSpec } from './bundles';
import { removeAssemblies, synthesize, TRUTH_CONFIGS, type Synthesized } from './synth';
import { replicaDestinations } from '../../core';

// Each config is synthesized once, with the Lambda code bundled exactly as `cdk synth` bundles it.
const apps: Synthesized[] = TRUTH_CONFIGS.map((c) => synthesize(c.name, c.config(), { bundle: true }));
afterAll(() => removeAssemblies(apps));
const functions = apps.flatMap(bundledFunctions);
const ofService = (service: string) => functions.filter((f) => f.service === service);
const appOf = (fn: BundledFunction) => apps.find((a) => a.stacks.includes(fn.stack))!;
const prefixesOf = (fn: BundledFunction) => appOf(fn).config.rules.map((r) => r.prefix);
/** A function of a replica stack (a replication destination no environment deploys). */
const isReplica = (fn: BundledFunction) => replicaDestinations(appOf(fn).config).some((r) => r.target.stackName === fn.stack.stackName);

/** What DescribePullThroughCacheRules answers for the rules of a stack's template (API Reference, PullThroughCacheRule). */
function describedRules(fn: BundledFunction): Array<Record<string, string>> {
  return Object.values(fn.stack.resources)
    .filter((r) => r.Type === 'AWS::ECR::PullThroughCacheRule')
    .map((r) => {
      const p = r.Properties as {
        EcrRepositoryPrefix: string;
        UpstreamRegistry: string;
        UpstreamRegistryUrl: string;
        CredentialArn?: unknown;
      };
      return {
        ecrRepositoryPrefix: p.EcrRepositoryPrefix,
        upstreamRegistry: p.UpstreamRegistry,
        upstreamRegistryUrl: p.UpstreamRegistryUrl,
        registryId: fn.stack.account,
        ...(p.CredentialArn !== undefined
          ? {
              credentialArn: `arn:aws:secretsmanager:${fn.stack.region}:${fn.stack.account}:secret:ecr-pullthroughcache/${p.EcrRepositoryPrefix}-AbCdEf`,
            }
          : {}),
      };
    });
}

const ECR = { module: '@aws-sdk/client-ecr', client: 'ECRClient' } as const;
const EVENTS = { module: '@aws-sdk/client-eventbridge', client: 'EventBridgeClient' } as const;
const SECRETS = { module: '@aws-sdk/client-secrets-manager', client: 'SecretsManagerClient' } as const;
const S3 = { module: '@aws-sdk/client-s3', client: 'S3Client' } as const;
const SSM = { module: '@aws-sdk/client-ssm', client: 'SSMClient' } as const;
const events = documentedEvents();

describe('every Lambda bundle, required in plain node', () => {
  test('the apps have the five ptc-autopilot functions, each with a staged bundle', () => {
    expect(new Set(functions.map((f) => f.service))).toEqual(
      new Set(['reconcile-repository', 'validate-rules', 'prewarm', 'registry-settings', 'evict-images']),
    );
    for (const fn of functions)
      expect({ where: fn.where, handler: fn.handler, bundle: existsSync(fn.bundle) }).toEqual({
        where: fn.where,
        handler: 'index.handler',
        bundle: true,
      });
  });

  // Every other bundle loads in a driven test below (which asserts no load error).
  const undriven = functions.filter(
    (f) =>
      (f.service === 'prewarm' && !(appOf(f).config.prewarm.manifest?.s3 && appOf(f).config.prewarm.manifest?.ssmParameter)) ||
      f.service === 'evict-images',
  );
  test.each(undriven.map((f) => [f.where, f] as const))('%s loads with its template environment and exports the handler', (_where, fn) => {
    const run = runBundle(fn, [], []);
    expect(run.loadError).toBeUndefined();
  });
});

describe('error names survive bundling (minified code keeps class names)', () => {
  const broken: Array<[string, string, string]> = [
    ['prewarm', 'PTC_PREWARM_SETTINGS', PrewarmSettingsError.name],
    ['validate-rules', 'PTC_VALIDATION_RULES', ValidationSettingsError.name],
    ['reconcile-repository', 'PTC_RECONCILER_CONFIG', ReconcilerSettingsError.name],
  ];
  test.each(broken)('%s with an unreadable %s fails at cold start with %s', (service, variable, expected) => {
    const fn = ofService(service)[0]!;
    const run = runBundle(fn, [], [], { ...fn.environment, [variable]: '{not json' });
    expect(run.loadError).toMatchObject({ name: expected, constructorName: expected });
    expect(run.loadError!.message).toContain(variable);
  });

  test('a rule validation that cannot finish rejects with ValidationIncompleteError', () => {
    const fn = ofService('validate-rules')[0]!;
    const mocks: MockSpec[] = [
      { ...ECR, command: 'DescribePullThroughCacheRulesCommand', resolves: { pullThroughCacheRules: describedRules(fn) } },
      { ...ECR, command: 'ValidatePullThroughCacheRuleCommand', rejects: { name: 'ThrottlingException', message: 'Rate exceeded' } },
      { ...SECRETS, command: 'GetSecretValueCommand', resolves: fixtureJson('validation/get-secret-value.credentials.json') },
      { ...EVENTS },
    ];
    const run = runBundle(fn, mocks, [events['Scheduled Event']]);
    expect(run.results).toEqual([
      { error: expect.objectContaining({ name: ValidationIncompleteError.name, constructorName: ValidationIncompleteError.name }) },
    ]);
  });
});

describe('prewarm reads its external image list in plain node (issue 10 item 7)', () => {
  const withManifest = ofService('prewarm').filter(
    (fn) => appOf(fn).config.prewarm.manifest?.s3 && appOf(fn).config.prewarm.manifest?.ssmParameter,
  );

  test.each(withManifest.map((f) => [f.where, f] as const))(
    '%s: the schedule reads the S3 object and the SSM parameter, then fails on the token by name',
    (_where, fn) => {
      const { manifest } = appOf(fn).config.prewarm;
      const mocks: MockSpec[] = [
        { ...S3, command: 'GetObjectCommand', resolves: { Body: { $stream: 'quay.io/org/tool:1\n' }, ContentLength: 19 } },
        { ...SSM, command: 'GetParameterCommand', resolves: fixtureJson('prewarm/get-parameter.string-list.json') },
        // No authorizationToken: the run stops before any registry traffic, with a named error.
        {
          ...ECR,
          command: 'GetAuthorizationTokenCommand',
          resolves: { authorizationData: [{ proxyEndpoint: `https://${fn.stack.account}.dkr.ecr.${fn.stack.region}.amazonaws.com` }] },
        },
      ];
      const run = runBundle(fn, mocks, [events['Scheduled Event']]);
      expect(run.loadError).toBeUndefined();
      expect(sent(run, 'GetObjectCommand')).toEqual([{ Bucket: manifest!.s3!.bucket, Key: manifest!.s3!.key }]);
      expect(sent(run, 'GetParameterCommand')).toEqual([{ Name: manifest!.ssmParameter, WithDecryption: true }]);
      expect(run.logs.filter((l) => l.message === 'prewarm image list unreadable')).toEqual([]);
      expect(run.results).toEqual([
        { error: expect.objectContaining({ name: AuthorizationTokenError.name, constructorName: AuthorizationTokenError.name }) },
      ]);
    },
  );
});

describe('rule validation driven with documented events', () => {
  test.each(ofService('validate-rules').map((f) => [f.where, f] as const))(
    '%s: the schedule validates every rule of its stack; the documented (successful) sync under each prefix is no failure',
    (_where, fn) => {
      const described = describedRules(fn);
      const prefixes = prefixesOf(fn);
      const syncs = prefixes.map((p) => withRepository(events['ECR Pull Through Cache Action']!, `${p}/alpine`, p));
      const run = runBundle(
        fn,
        [
          { ...ECR, command: 'DescribePullThroughCacheRulesCommand', resolves: { pullThroughCacheRules: described } },
          { ...ECR, command: 'ValidatePullThroughCacheRuleCommand', resolves: { isValid: true } },
          { ...SECRETS, command: 'GetSecretValueCommand', resolves: fixtureJson('validation/get-secret-value.credentials.json') },
          { ...EVENTS },
        ],
        [events['Scheduled Event'], ...syncs],
      );
      expect(run.loadError).toBeUndefined();
      expect(run.results[0]).toEqual({ ok: expect.objectContaining({ kind: 'validated', valid: described.length, invalid: 0 }) });
      expect(sent(run, 'ValidatePullThroughCacheRuleCommand')).toEqual(
        described.map((d) => ({ ecrRepositoryPrefix: d.ecrRepositoryPrefix })),
      );
      expect(sent(run, 'GetSecretValueCommand')).toEqual(
        described.filter((d) => d.credentialArn).map((d) => ({ SecretId: d.credentialArn })),
      );
      expect(sent(run, 'PutEventsCommand')).toEqual([]);
      expect(run.results.slice(1)).toEqual(
        prefixes.map(() => ({ ok: { kind: 'sync', outcome: { counted: false, reason: expect.stringContaining('SUCCESS') } } })),
      );
    },
  );
});

describe('the reconciler driven with documented events under every managed prefix', () => {
  const triggers = ['ECR Pull Through Cache Action', 'ECR Image Action (push)', 'AWS API Call via CloudTrail (CreateRepository)'] as const;

  test.each(ofService('reconcile-repository').map((f) => [f.where, f] as const))(
    '%s: each trigger configures the repository with its creation template lifecycle, and nothing outside the prefixes',
    (_where, fn) => {
      const prefixes = prefixesOf(fn);
      const names = prefixes.map((p) => `${p}/alpine`);
      const arn = (name: string) => `arn:aws:ecr:${fn.stack.region}:${fn.stack.account}:repository/${name}`;
      const mocks: MockSpec[] = [
        ...names.map((name) => ({
          ...ECR,
          command: 'DescribeRepositoriesCommand',
          input: { repositoryNames: [name] },
          resolves: {
            repositories: [
              {
                repositoryName: name,
                repositoryArn: arn(name),
                imageTagMutability: 'MUTABLE',
                imageScanningConfiguration: { scanOnPush: false },
              },
            ],
          },
        })),
        { ...ECR, command: 'ListTagsForResourceCommand', resolves: { tags: [] } },
        {
          ...ECR,
          command: 'GetLifecyclePolicyCommand',
          rejects: { name: 'LifecyclePolicyNotFoundException', message: 'Lifecycle policy does not exist' },
        },
        // The repository policy is kept as ECR keeps it: the reconciler re-reads it around its write.
        {
          ...ECR,
          command: 'GetRepositoryPolicyCommand',
          state: { store: 'policy', key: 'repositoryName', field: 'policyText', op: 'get' },
          rejects: { name: 'RepositoryPolicyNotFoundException', message: 'Repository policy does not exist' },
        },
        {
          ...ECR,
          command: 'SetRepositoryPolicyCommand',
          state: { store: 'policy', key: 'repositoryName', field: 'policyText', op: 'set' },
        },
        {
          ...EVENTS,
          command: 'PutEventsCommand',
          resolves: { FailedEntryCount: 0, Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }] },
        },
      ];
      const invocations = triggers.flatMap((t) => prefixes.map((p, i) => withRepository(events[t]!, names[i]!, p)));
      // The same documented events on the documentation's own repository name, under no managed prefix.
      const foreign = triggers.map((t) => withRepository(events[t]!, 'my-repository-name', 'my-repository-name'));
      const run = runBundle(fn, mocks, [...invocations, ...foreign]);
      expect(run.loadError).toBeUndefined();
      for (const r of run.results) expect(r.error).toBeUndefined();
      expect(run.calls.filter((c) => JSON.stringify(c.input).includes('my-repository-name'))).toEqual([]);
      const lifecycleOf = new Map(
        Object.values(fn.stack.resources)
          .filter((r) => r.Type === 'AWS::ECR::RepositoryCreationTemplate')
          .map((r) => [
            (r.Properties as { Prefix: string }).Prefix,
            JSON.parse((r.Properties as { LifecyclePolicy: string }).LifecyclePolicy) as unknown,
          ]),
      );
      const lifecycles = sent(run, 'PutLifecyclePolicyCommand');
      // Every trigger of every prefix wrote the lifecycle the creation template gives new repositories.
      expect(lifecycles).toHaveLength(invocations.length);
      for (const [i, input] of lifecycles.entries()) {
        const name = names[i % names.length]!;
        const prefix = prefixes[i % prefixes.length]!;
        expect({ repositoryName: input.repositoryName, policy: JSON.parse(String(input.lifecyclePolicyText)) }).toEqual({
          repositoryName: name,
          policy: lifecycleOf.get(prefix),
        });
      }
    },
  );
});

describe('the registry settings custom resource driven with CloudFormation requests built from the template', () => {
  // The request CloudFormation sends (AWS CloudFormation User Guide, "Custom resource request objects",
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html), with the
  // template's own ResourceProperties; the ServiceToken intrinsic resolved to a function ARN.
  function createRequest(fn: BundledFunction, logicalId: string): Record<string, unknown> {
    const r = fn.stack.resources[logicalId]!;
    const stackId = `arn:aws:cloudformation:${fn.stack.region}:${fn.stack.account}:stack/${fn.stack.stackName}/5b6c1a30-3f0e-11ef-9c3b-0a1b2c3d4e5f`;
    return {
      RequestType: 'Create',
      RequestId: `9db53695-b0a0-47d6-908a-${logicalId.length.toString().padStart(12, '0')}`,
      ResponseURL: 'https://127.0.0.1:9/response',
      ResourceType: r.Type,
      LogicalResourceId: logicalId,
      StackId: stackId,
      ResourceProperties: {
        ...r.Properties,
        ServiceToken: `arn:aws:lambda:${fn.stack.region}:${fn.stack.account}:function:${fn.stack.stackName}-onEvent`,
      },
    };
  }

  test.each(
    ofService('registry-settings')
      .filter((f) => !isReplica(f))
      .map((f) => [f.where, f] as const),
  )('%s: replication, scanning and registry policy are written beside the foreign ones, and the policy fits IAM', async (_where, fn) => {
    const ids = Object.entries(fn.stack.resources)
      .filter(([, r]) => r.Type.startsWith('Custom::Ptc'))
      .map(([id]) => id);
    // Every stack granting pulls to other accounts gets the registry policy (first pulls, issue 14); replication and scanning where configured.
    const types = ids.map((id) => fn.stack.resources[id]!.Type);
    expect(types).toContain('Custom::PtcRegistryPolicy');
    const run = runBundle(
      fn,
      [
        { ...ECR, command: 'DescribeRegistryCommand', resolves: fixtureJson('registry-settings/describe-registry.foreign.json') },
        { ...ECR, command: 'PutReplicationConfigurationCommand', resolves: {} },
        {
          ...ECR,
          command: 'GetRegistryScanningConfigurationCommand',
          resolves: fixtureJson('registry-settings/get-registry-scanning-configuration.foreign.json'),
        },
        { ...ECR, command: 'PutRegistryScanningConfigurationCommand', resolves: {} },
        { ...ECR, command: 'GetRegistryPolicyCommand', resolves: fixtureJson('registry-settings/get-registry-policy.foreign.json') },
        { ...ECR, command: 'PutRegistryPolicyCommand', resolves: {} },
      ],
      ids.map((id) => createRequest(fn, id)),
    );
    expect(run.loadError).toBeUndefined();
    expect(run.results.map((r) => r.error)).toEqual(ids.map(() => undefined));
    if (types.includes('Custom::PtcReplication')) {
      const [replication] = sent(run, 'PutReplicationConfigurationCommand');
      const foreignRules = (
        fixtureJson('registry-settings/describe-registry.foreign.json') as { replicationConfiguration: { rules: unknown[] } }
      ).replicationConfiguration.rules;
      expect((replication!.replicationConfiguration as { rules: unknown[] }).rules).toEqual(expect.arrayContaining(foreignRules));
    }
    const [policy] = sent(run, 'PutRegistryPolicyCommand');
    const document = JSON.parse(String(policy!.policyText)) as { Statement: unknown };
    const ctx = { where: 'PutRegistryPolicy', partition: 'aws', region: fn.stack.region, account: fn.stack.account };
    expect(await checkPolicyDocument(document as never, ctx)).toEqual([]);
    expect(JSON.stringify(document)).toContain('ReplicationAccessCrossAccount');
    expect(JSON.stringify(document)).toContain('PtcAutopilotFirstPull');
  });

  test.each(
    ofService('registry-settings')
      .filter(isReplica)
      .map((f) => [f.where, f] as const),
  )('%s: a replica stack writes only the registry policy statement, beside the foreign ones, and it fits IAM', async (_where, fn) => {
    const ids = Object.entries(fn.stack.resources)
      .filter(([, r]) => r.Type.startsWith('Custom::Ptc'))
      .map(([id, r]) => [id, r.Type] as const);
    expect(ids.map(([, type]) => type)).toEqual(['Custom::PtcRegistryPolicy']);
    const replica = replicaDestinations(appOf(fn).config).find((r) => r.target.stackName === fn.stack.stackName)!;
    const run = runBundle(
      fn,
      [
        { ...ECR, command: 'GetRegistryPolicyCommand', resolves: fixtureJson('registry-settings/get-registry-policy.foreign.json') },
        { ...ECR, command: 'PutRegistryPolicyCommand', resolves: {} },
      ],
      ids.map(([id]) => createRequest(fn, id)),
    );
    expect(run.loadError).toBeUndefined();
    expect(run.results.map((r) => r.error)).toEqual([undefined]);
    expect([sent(run, 'PutReplicationConfigurationCommand'), sent(run, 'PutRegistryScanningConfigurationCommand')]).toEqual([[], []]);
    const [policy] = sent(run, 'PutRegistryPolicyCommand');
    const document = JSON.parse(String(policy!.policyText)) as {
      Statement: Array<{ Sid?: string; Principal?: unknown; Resource?: unknown }>;
    };
    expect(document.Statement.map((st) => st.Sid)).toContain('ReplicationAccessCrossAccount');
    expect(document.Statement.find((st) => st.Sid === 'PtcAutopilotReplicationAccess')).toMatchObject({
      Principal: { AWS: replica.sourceAccounts.map((a) => `arn:aws:iam::${a}:root`) },
      Resource: replica.prefixes.map((p) => `arn:aws:ecr:${fn.stack.region}:${fn.stack.account}:repository/${p}/*`),
    });
    const ctx = { where: 'PutRegistryPolicy', partition: 'aws', region: fn.stack.region, account: fn.stack.account };
    expect(await checkPolicyDocument(document as never, ctx)).toEqual([]);
  });
});

test.each(functions.map((f) => [f.where, f] as const))("%s: the environment fits Lambda's 4 KB quota", (_where, fn) => {
  // Lambda quotas: "Function environment variables: 4 KB", all keys and values together.
  const size = Object.entries(fn.environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  expect({ where: fn.where, fits: size <= 4096 }).toEqual({ where: fn.where, fits: true });
});
