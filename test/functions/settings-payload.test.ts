/**
 * The Lambdas' check of their settings payload (core/lambda-payload-check.ts, composed from the
 * config schema's pieces): it reads back every payload the stack writes for the truth configs, and
 * turns any malformed or hand-edited variable into one line naming the variable and the field,
 * never a TypeError.
 */
import fc from 'fast-check';
import { targets } from '../../core';
import { configForTarget } from '../../core/config/kms-keys';
import { secretsKmsKeyFor } from '../../core/policy/secrets-key-policy';
import { PrewarmSettingsError, ReconcilerSettingsError, ValidationSettingsError } from '../../core/lambda-contracts/errors';
import { decodePrewarmSettings, encodePrewarmSettings } from '../../core/lambda-contracts/prewarm/settings';
import { decodeConfig, encodeConfig } from '../../core/lambda-contracts/reconcile-repository/settings';
import { decodeValidationSettings, encodeRules } from '../../core/lambda-contracts/validate-rules/settings';
import { TRUTH_CONFIGS } from '../aws-truth/synth';
import { desiredState } from '../../core/policy/desired-state';
import { ruleForRepository } from '../../core/policy/settings';
import { planTargets } from '../../core/prewarm/targets';

const where = (t: { account: string; region: string }) => ({ account: t.account, region: t.region });

describe('every payload the stack writes for the truth configs reads back unchanged', () => {
  const cases = TRUTH_CONFIGS.flatMap(({ name, config }) => {
    const c = config();
    return targets(c).map((target) => [`${name} ${target.account}/${target.region}`, configForTarget(c, target), target] as const);
  });
  test('the truth configs include exclusion filters (the github override), so they are read back too', () => {
    expect(cases.some(([, c]) => c.repositories.overrides?.some((o) => (o.imageTagMutabilityExclusionFilters ?? []).length > 0))).toBe(
      true,
    );
  });
  test.each(cases)('%s', (_name, config, target) => {
    expect(decodeConfig(encodeConfig(config, target))).toEqual({
      ...where(target),
      rules: config.rules,
      repositories: config.repositories,
      reconciler: config.reconciler,
    });
    const key = secretsKmsKeyFor(config, target);
    expect(decodeValidationSettings(encodeRules(config.rules, target, key))).toEqual({
      rules: config.rules,
      ...(key !== undefined ? { secretsKmsKeyArn: key } : {}),
    });
    expect(decodePrewarmSettings(encodePrewarmSettings(config, target))).toEqual({
      ...where(target),
      rules: config.rules,
      prewarm: config.prewarm,
    });
  });
});

const base = {
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  repositories: { tags: { team: 'platform' }, overrides: [{ prefix: 'k8s', lifecycle: { keepLastTagged: 5 } }] },
  reconciler: { sweepSchedule: 'rate(1 day)', concurrency: 8 },
};
const prewarmBase = {
  account: '111122223333',
  region: 'eu-west-2',
  rules: [{ prefix: 'k8s', upstream: 'k8s' }],
  prewarm: {
    schedule: 'rate(12 hours)',
    images: ['registry.k8s.io/pause:3.9'],
    platforms: ['linux/amd64'],
    concurrency: 8,
    manifest: { s3: { bucket: 'lists', key: 'k' } },
  },
};

describe('a malformed variable fails with one line naming the variable and the field', () => {
  test.each([
    [
      { ...base, rules: [{ prefix: 'k8s', upstream: 'dockerhub' }] },
      'config error at rules[0].upstream: "dockerhub" is not a known upstream; did you mean "docker-hub"?',
    ],
    [
      { ...base, rules: [{ prefix: 'k8s', upstream: 'k8s', prefx: 'x' }] },
      'config error at rules[0]: unknown key "prefx"; did you mean "prefix"?',
    ],
    [{ ...base, rules: {} }, 'config error at rules: must be a list, got an object'],
    [{ ...base, repositories: { tags: { team: null } } }, 'config error at repositories.tags.team: tag values must be strings'],
    [{ ...base, repositories: { overrides: [{ lifecycle: {} }] } }, 'config error at repositories.overrides[0].prefix: required'],
    [{ ...base, repositories: { encryption: { type: 'kms' } } }, 'config error at repositories.encryption.type: must be "AES256" or "KMS"'],
    [
      { ...base, repositories: { imageTagMutability: 'MUTABLE', imageTagMutabilityExclusionFilters: ['latest'] } },
      'config error at repositories.imageTagMutabilityExclusionFilters: goes with imageTagMutability "IMMUTABLE_WITH_EXCLUSION" or "MUTABLE_WITH_EXCLUSION" (in the same block), not "MUTABLE"',
    ],
    [
      { ...base, repositories: { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: ['feature/*'] } },
      'config error at repositories.imageTagMutabilityExclusionFilters[0]: may contain only letters, digits, ".", "_", "-" and the wildcard "*"',
    ],
    [
      { ...base, reconciler: { sweepSchedule: 'rate(1 day)', concurrency: '8' } },
      'config error at reconciler.concurrency: must be a whole number from 1 to 50',
    ],
    [{ ...base, reconciler: undefined }, 'config error at reconciler: required'],
    [[base], 'config error: must be an object, got a list'],
  ])('reconciler %#', (payload, message) => {
    expect(() => decodeConfig(JSON.stringify(payload))).toThrow(new ReconcilerSettingsError('PTC_RECONCILER_CONFIG', message));
  });

  test.each([
    [
      { ...prewarmBase, prewarm: { ...prewarmBase.prewarm, images: 'nginx' } },
      'config error at prewarm.images: must be a list, got the string "nginx"',
    ],
    [
      { ...prewarmBase, prewarm: { ...prewarmBase.prewarm, platforms: [] } },
      'config error at prewarm.platforms: must have at least 1 item',
    ],
    [
      { ...prewarmBase, prewarm: { ...prewarmBase.prewarm, manifest: { s3: { bucket: 'lists' } } } },
      'config error at prewarm.manifest.s3.key: required',
    ],
    [{ ...prewarmBase, prewarm: null }, 'config error at prewarm: must be an object, got null'],
  ])('prewarm %#', (payload, message) => {
    expect(() => decodePrewarmSettings(JSON.stringify(payload))).toThrow(new PrewarmSettingsError('PTC_PREWARM_SETTINGS', message));
  });

  test.each([
    [
      { account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s', credentials: { secretName: 5 } }] },
      'config error at rules[0].credentials.secretName: must be a string, got number 5',
    ],
    [
      { account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }], secretsKmsKeyArn: false },
      'config error at secretsKmsKeyArn: must be a KMS key ARN such as "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
    ],
    [
      { region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] },
      'config error at account: must be a 12-digit AWS account ID in quotes',
    ],
    [
      {
        account: '111122223333',
        region: 'eu-west-2',
        rules: [{ prefix: 'acr', upstream: 'azure-container-registry', credentials: { secretName: 'ecr-pullthroughcache/acr' } }],
      },
      'config error at rules[0].registryUrl: Azure Container Registry needs "registryUrl", such as "myregistry.azurecr.io"',
    ],
    [
      {
        account: '111122223333',
        region: 'eu-west-2',
        rules: [{ prefix: 'up', upstream: 'ecr', upstreamAccount: '444455556666', upstreamRegion: 'eu-west-1' }],
      },
      'config error at rules[0].customRoleArn: an "ecr" upstream needs "customRoleArn"',
    ],
  ])('validation %#', (payload, message) => {
    expect(() => decodeValidationSettings(JSON.stringify(payload))).toThrow(new ValidationSettingsError('PTC_VALIDATION_RULES', message));
  });
});

/** Every path to a value inside a JSON document. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...entries.flatMap(([k, v]) => paths(v, [...at, k]))];
}
function replaced(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

describe('any value anywhere in the payload', () => {
  // What each Lambda does first with its settings: a payload the check lets through must not break it.
  const reconcile = (value: string): unknown => {
    const config = decodeConfig(value);
    return [desiredState(config, 'k8s/pause'), ruleForRepository(config, 'k8s/pause')];
  };
  const prewarm = (value: string): unknown =>
    planTargets(
      ['nginx', 'registry.k8s.io/pause:3.9', 'myregistry.azurecr.io/x:1', '444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/x:1'],
      { config: decodePrewarmSettings(value), registryHost: '111122223333.dkr.ecr.eu-west-2.amazonaws.com' },
    );
  const decoders = [
    ['reconciler', base, reconcile, ReconcilerSettingsError],
    ['prewarm', prewarmBase, prewarm, PrewarmSettingsError],
    [
      'prewarm, every upstream',
      {
        ...prewarmBase,
        rules: [
          {
            prefix: 'acr',
            upstream: 'azure-container-registry',
            registryUrl: 'myregistry.azurecr.io',
            credentials: { secretName: 'ecr-pullthroughcache/acr' },
          },
          {
            prefix: 'up',
            upstream: 'ecr',
            upstreamAccount: '444455556666',
            upstreamRegion: 'eu-west-1',
            customRoleArn: 'arn:aws:iam::111122223333:role/up',
            upstreamRepositoryPrefix: 'team',
          },
        ],
      },
      prewarm,
      PrewarmSettingsError,
    ],
    [
      'validation',
      {
        account: base.account,
        region: base.region,
        rules: [{ prefix: 'd', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/d' } }],
      },
      decodeValidationSettings,
      ValidationSettingsError,
    ],
  ] as const;
  test.each(decoders)('%s: is read, or refused with one line naming the variable', (_name, doc, use, errorClass) => {
    const all = paths(doc);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined, freq: 4 }), (path, value) => {
        let thrown: unknown;
        try {
          use(JSON.stringify(replaced(doc, path, value)));
        } catch (err) {
          thrown = err;
        }
        if (thrown !== undefined) {
          expect(thrown).toBeInstanceOf(errorClass);
          expect((thrown as Error).message).toMatch(/^environment variable PTC_[A-Z_]+: (config error|not set)[^\n]*$/);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
