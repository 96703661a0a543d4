import fc from 'fast-check';
import { parse } from 'yaml';
import { InvalidReferenceError, createResolver, digestPinnedPolicy, type DigestPinnedMode, type PtcConfig } from '../../core';
import { imagePatterns, kyvernoPolicyYaml } from '../../core/kyverno';
import { CORPUS, CORPUS_CONFIG, REGISTRY, UPSTREAM_ECR } from './corpus';
import { KYVERNO_VARIABLE, evaluateRule, goExpand, regexReplaceAll, templatedStrings, type PolicyRule } from './kyverno-eval';

// `cache`: every digest-pinned image too, so the corpus exercises every pattern shape.
const policy = parse(kyvernoPolicyYaml(CORPUS_CONFIG, REGISTRY, { digestPinned: 'cache' })) as {
  apiVersion: string;
  kind: string;
  spec: { background: boolean; rules: PolicyRule[] };
};
const resolve = createResolver({ config: CORPUS_CONFIG, registryHost: REGISTRY });
const LISTS = { containers: 'containers', initContainers: 'init-containers', ephemeralContainers: 'ephemeral-containers' } as const;

function resolverSays(ref: string): string {
  try {
    return resolve(ref).output;
  } catch (err) {
    if (err instanceof InvalidReferenceError) return ref; // the policy leaves what it cannot read alone
    throw err;
  }
}

function ruleFor(list: keyof typeof LISTS): PolicyRule {
  const rule = policy.spec.rules.find((r) => r.name === LISTS[list]);
  if (rule === undefined) throw new Error(`no rule for ${list}`);
  return rule;
}

describe('the evaluator itself', () => {
  test('expands Go templates like Regexp.Expand', () => {
    expect(goExpand('a/${1}${2}:latest', ['x', 'b', 'c'])).toBe('a/bc:latest');
    expect(goExpand('$1x', ['m', 'g'])).toBe(''); // Go reads "$1x" as the group named "1x"
    expect(goExpand('$$1', ['m', 'g'])).toBe('$1');
  });

  test('replaces like regex_replace_all', () => {
    expect(regexReplaceAll('^([a-z]+)$', 'nginx', 'r/${1}:latest')).toBe('r/nginx:latest');
    expect(regexReplaceAll('^([a-z]+)$', 'Nginx', 'r/${1}')).toBe('Nginx');
  });
});

describe('generated Kyverno policy', () => {
  test('is a ClusterPolicy that mutates Pods at admission, one rule per container list', () => {
    expect(policy).toMatchObject({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', spec: { background: false } });
    expect(policy.spec.rules.map((r) => [r.name, r.match.any[0]!.resources.kinds])).toEqual([
      ['containers', ['Pod']],
      ['init-containers', ['Pod']],
      ['ephemeral-containers', ['Pod/ephemeralcontainers']],
    ]);
  });

  test('rewrites containers and init containers when a Pod is created, ephemeral containers when they are added', () => {
    expect(policy.spec.rules.map((r) => [r.name, r.preconditions.all[0]])).toEqual([
      ['containers', { key: "{{ request.operation || 'BACKGROUND' }}", operator: 'AnyIn', value: ['CREATE'] }],
      ['init-containers', { key: "{{ request.operation || 'BACKGROUND' }}", operator: 'AnyIn', value: ['CREATE'] }],
      ['ephemeral-containers', { key: "{{ request.operation || 'BACKGROUND' }}", operator: 'AnyIn', value: ['UPDATE'] }],
    ]);
  });

  test('every substituted string is one Kyverno variable and holds no $( reference', () => {
    const strings = templatedStrings(policy);
    expect(strings.length).toBeGreaterThan(100);
    for (const s of strings) {
      expect(s).toMatch(KYVERNO_VARIABLE);
      expect(s).not.toContain('$(');
    }
  });

  test.each(Object.keys(LISTS) as (keyof typeof LISTS)[])('agrees with the resolver on the whole corpus for %s', (list) => {
    const rule = ruleFor(list);
    for (const c of CORPUS) {
      const { image, applied } = evaluateRule(rule, list, c[0]);
      expect({ ref: c[0], image }).toEqual({ ref: c[0], image: resolverSays(c[0]) });
      expect({ ref: c[0], applied }).toEqual({ ref: c[0], applied: c[1] === 'resolved' ? 1 : 0 });
    }
  });

  test('leaves what it rewrote alone on a second admission', () => {
    const rule = ruleFor('containers');
    for (const c of CORPUS) {
      if (c[1] !== 'resolved') continue;
      expect(evaluateRule(rule, 'containers', c[2]).applied).toBe(0);
    }
  });

  test('agrees with the resolver on generated references', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,6}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,4})?$/);
    const host = fc.constantFrom(
      '',
      'docker.io/',
      'index.docker.io/',
      'registry-1.docker.io/',
      'ghcr.io/',
      'quay.io/',
      'registry.k8s.io/',
      'public.ecr.aws/',
      'cgr.dev/',
      'registry.gitlab.com/',
      'myregistry.azurecr.io/',
      `${UPSTREAM_ECR}/`,
      `${UPSTREAM_ECR}/platform/`,
      'localhost/',
      'localhost:5000/',
      'example.com/',
      `${REGISTRY}/docker-hub/`,
      'Docker.io/',
    );
    const tag = fc.oneof(fc.constant(''), fc.stringMatching(/^:[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}$/), fc.constant(':'), fc.constant(':-x'));
    const digest = fc.oneof(fc.constant(''), fc.constant(`@sha256:${'c'.repeat(64)}`), fc.constant('@sha256:abc'));
    const ref = fc
      .tuple(host, fc.array(component, { minLength: 1, maxLength: 3 }), tag, digest)
      .map(([h, path, t, d]) => `${h}${path.join('/')}${t}${d}`);
    const rule = ruleFor('containers');
    fc.assert(
      fc.property(ref, (r) => {
        const { image, applied } = evaluateRule(rule, 'containers', r);
        return image === resolverSays(r) && applied <= 1;
      }),
      { numRuns: 400 },
    );
  });

  test('leaves a bare 64-hex image ID alone, which the resolver calls invalid, and rewrites it with a tag as the resolver does', () => {
    const id = 'e'.repeat(64);
    expect(() => resolve(id)).toThrow(InvalidReferenceError);
    expect(evaluateRule(ruleFor('containers'), 'containers', id)).toEqual(expect.objectContaining({ image: id, applied: 0 }));
    expect(evaluateRule(ruleFor('initContainers'), 'initContainers', id).image).toBe(id);
    expect(evaluateRule(ruleFor('containers'), 'containers', `${id}:latest`).image).toBe(resolve(`${id}:latest`).output);
  });

  test('an ECR upstream prefix rule and the whole-registry rule on the same host never both match', () => {
    const ecr = imagePatterns(CORPUS_CONFIG, REGISTRY, { digestPinned: 'cache' }).filter((p) => p.match.includes('444455556666'));
    expect(ecr.map((p) => p.description)).toEqual([
      `shared: ${UPSTREAM_ECR}/platform/, tag or digest`,
      `shared: ${UPSTREAM_ECR}/platform/, no tag (:latest)`,
      `east: ${UPSTREAM_ECR}, tag or digest`,
      `east: ${UPSTREAM_ECR}, no tag (:latest)`,
    ]);
    expect(ecr[2]!.exclude).toEqual(['^(?:444455556666[.]dkr[.]ecr[.]us-east-1[.]amazonaws[.]com)/platform/']);
  });

  test('agrees with the resolver on the corpus when the cache registry is itself an ECR upstream', () => {
    // `ptc kyverno --account 444455556666 --region us-east-1`: that registry is the cache, never an upstream.
    const own = parse(kyvernoPolicyYaml(CORPUS_CONFIG, UPSTREAM_ECR, { digestPinned: 'cache' })) as { spec: { rules: PolicyRule[] } };
    const ownResolve = createResolver({ config: CORPUS_CONFIG, registryHost: UPSTREAM_ECR });
    const rule = own.spec.rules.find((r) => r.name === 'containers')!;
    for (const c of CORPUS) {
      let expected = c[0];
      try {
        expected = ownResolve(c[0]).output;
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
      }
      expect({ ref: c[0], image: evaluateRule(rule, 'containers', c[0]).image }).toEqual({ ref: c[0], image: expected });
    }
    expect(ownResolve(`${UPSTREAM_ECR}/other/api:1.0`).status).toBe('uncovered');
    expect(ownResolve(`${UPSTREAM_ECR}/east/other/api:1.0`).status).toBe('cached');
  });

  test('explains each entry in a comment', () => {
    const text = kyvernoPolicyYaml(CORPUS_CONFIG, REGISTRY);
    expect(text).toContain('# docker-hub: implicit Docker Hub official image, no tag (:latest)');
    expect(text).toContain(`# Generated by "ptc kyverno" for ${REGISTRY}`);
  });
});

describe('generated Kyverno policy and digest-pinned images', () => {
  // Two corpus digests are listed with their tag in prewarm.images: `prewarmed` may send those to the cache.
  const pinnedInCorpus = CORPUS.filter((c) => c[1] === 'resolved' && c[0].includes('@') && /:[^/@]+@/.test(c[0])).map((c) => c[0]);
  const config: PtcConfig = { ...CORPUS_CONFIG, prewarm: { ...CORPUS_CONFIG.prewarm, images: pinnedInCorpus.slice(0, 2) } };
  const base = createResolver({ config, registryHost: REGISTRY });

  test('the corpus holds digest-pinned references with a tag to list', () => {
    expect(pinnedInCorpus.length).toBeGreaterThanOrEqual(2);
  });

  test.each(['upstream', 'prewarmed', 'cache'] as DigestPinnedMode[])(
    'with --digest-pinned %s it agrees with the same policy applied to the resolver, on the corpus and on digest-only spellings of the listed digests',
    (mode) => {
      const doc = parse(kyvernoPolicyYaml(config, REGISTRY, { digestPinned: mode })) as { spec: { rules: PolicyRule[] } };
      const rule = doc.spec.rules.find((r) => r.name === 'containers')!;
      const policyOf = digestPinnedPolicy(config, mode);
      // The listed digests also spelled without their tag, and Docker Hub ones with their long host.
      const extra = pinnedInCorpus
        .slice(0, 2)
        .flatMap((ref) => [ref.replace(/:[^/@]+@/, '@'), ref.startsWith('docker.io/') ? ref : `docker.io/${ref}`]);
      let rewrittenDigests = 0;
      for (const ref of [...CORPUS.map((c) => c[0]), ...extra]) {
        let expected = ref;
        let status = 'invalid';
        try {
          const r = policyOf(base(ref));
          expected = r.output;
          status = r.status;
        } catch (err) {
          if (!(err instanceof InvalidReferenceError)) throw err;
        }
        const { image, applied } = evaluateRule(rule, 'containers', ref);
        expect({ ref, image }).toEqual({ ref, image: expected });
        expect({ ref, applied }).toEqual({ ref, applied: status === 'resolved' ? 1 : 0 });
        if (status === 'resolved' && ref.includes('@')) rewrittenDigests++;
      }
      if (mode === 'upstream') expect(rewrittenDigests).toBe(0);
      if (mode === 'prewarmed') expect(rewrittenDigests).toBeGreaterThanOrEqual(4);
    },
  );

  test('the default policy leaves every digest-pinned image upstream', () => {
    expect(kyvernoPolicyYaml(config, REGISTRY)).toBe(kyvernoPolicyYaml(config, REGISTRY, { digestPinned: 'upstream' }));
    expect(kyvernoPolicyYaml(config, REGISTRY)).not.toBe(kyvernoPolicyYaml(config, REGISTRY, { digestPinned: 'cache' }));
  });
});

describe('generated Kyverno policy and the length of the cache name', () => {
  test('rewrites a reference whose cache name is 255 characters and leaves one of 256 upstream, as the resolver does', () => {
    const rule = ruleFor('containers');
    const fits = 255 - REGISTRY.length - '/docker-hub/'.length;
    for (const [ref, rewritten] of [
      [`x/${'a'.repeat(fits - 2)}:1`, true],
      [`x/${'a'.repeat(fits - 1)}:1`, false],
      [`${'b'.repeat(fits - 8)}`, true],
      [`${'b'.repeat(fits - 7)}`, false],
    ] as const) {
      const { image, applied } = evaluateRule(rule, 'containers', ref);
      expect({ ref, image, applied }).toEqual({ ref, image: resolverSays(ref), applied: rewritten ? 1 : 0 });
    }
  });
});
