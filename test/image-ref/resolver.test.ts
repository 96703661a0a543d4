import { InvalidReferenceError, createResolver, formatReference, parseReference, resolveReference, type Resolution } from '../../core';
import fc from 'fast-check';
import { parseSlowly } from '../../core/image-ref/parse';
import { CORPUS, CORPUS_CONFIG, REGISTRY } from './corpus';

const resolve = createResolver({ config: CORPUS_CONFIG, registryHost: REGISTRY });

function outcome(ref: string): Resolution | InvalidReferenceError {
  try {
    return resolve(ref);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return err;
    throw err;
  }
}

describe('resolver corpus', () => {
  test('holds at least 80 cases of every kind', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(80);
    for (const kind of ['resolved', 'cached', 'uncovered', 'invalid']) expect(CORPUS.some((c) => c[1] === kind)).toBe(true);
  });

  test.each(CORPUS.map((c) => [c[0], c] as const))('%s', (_ref, c) => {
    const result = outcome(c[0]);
    if (c[1] === 'invalid') {
      expect(result).toBeInstanceOf(InvalidReferenceError);
      const message = (result as InvalidReferenceError).message;
      expect(message.startsWith(`invalid image reference "${c[0]}": `)).toBe(true);
      expect(message).toMatch(c[2]);
      return;
    }
    expect(result).not.toBeInstanceOf(Error);
    const resolution = result as Resolution;
    expect(resolution.status).toBe(c[1]);
    expect(resolution.input).toBe(c[0]);
    expect(resolution.output).toBe(c[1] === 'resolved' ? c[2] : c[0]);
  });

  test('resolving an output again changes nothing', () => {
    for (const c of CORPUS) {
      if (c[1] !== 'resolved') continue;
      const again = resolve(c[2]);
      expect({ ref: c[2], status: again.status, output: again.output }).toEqual({ ref: c[2], status: 'cached', output: c[2] });
    }
  });
});

describe('parseReference', () => {
  const D = `sha256:${'a'.repeat(64)}`;
  test.each([
    ['nginx', { host: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['index.docker.io/bitnami/redis:7', { host: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    [`ghcr.io/org/app@${D}`, { host: 'ghcr.io', repository: 'org/app', digest: D }],
    [`quay.io/org/app:v1@${D}`, { host: 'quay.io', repository: 'org/app', tag: 'v1', digest: D }],
    ['localhost:5000/x', { host: 'localhost:5000', repository: 'x', tag: 'latest' }],
    ['[::1]:5000/x:2', { host: '[::1]:5000', repository: 'x', tag: '2' }],
    ['localhost:5000', { host: 'docker.io', repository: 'library/localhost', tag: '5000' }],
    ['MyRegistry/team/app:1', { host: 'MyRegistry', repository: 'team/app', tag: '1' }],
  ])('normalizes %s', (ref, expected) => {
    expect(parseReference(ref)).toEqual(expected);
  });

  test('formatReference writes host, repository, tag and digest back in order', () => {
    expect(formatReference({ host: 'ghcr.io', repository: 'org/app', tag: 'v1', digest: D })).toBe(`ghcr.io/org/app:v1@${D}`);
    expect(formatReference(parseReference('nginx'))).toBe('docker.io/library/nginx:latest');
  });
});

describe('Resolution details', () => {
  test('a resolved reference names its rule, cache repository, tag and digest', () => {
    const D = `sha256:${'b'.repeat(64)}`;
    const r = resolve(`ghcr.io/org/app:v2@${D}`);
    expect(r).toMatchObject({ status: 'resolved', cacheRepository: 'github/org/app', tag: 'v2', digest: D });
    expect(r.rule?.prefix).toBe('github');
    expect(r.reference).toEqual({ host: 'ghcr.io', repository: 'org/app', tag: 'v2', digest: D });
  });

  test('a cached reference names the managed rule it belongs to', () => {
    const r = resolve(`${REGISTRY}/quay/jetstack/cert-manager-controller:v1`);
    expect(r).toMatchObject({ status: 'cached', cacheRepository: 'quay/jetstack/cert-manager-controller', tag: 'v1' });
    expect(r.rule?.prefix).toBe('quay');
  });

  test('an uncovered reference has no rule and no cache repository', () => {
    const r = resolve('localhost:5000/x');
    expect(r.status).toBe('uncovered');
    expect(r.rule).toBeUndefined();
    expect(r.cacheRepository).toBeUndefined();
  });

  test('resolveReference gives the same answer as a built resolver', () => {
    expect(resolveReference('nginx:1.27', { config: CORPUS_CONFIG, registryHost: '127.0.0.1:5001' }).output).toBe(
      '127.0.0.1:5001/docker-hub/library/nginx:1.27',
    );
  });

  test('with a local registry host, its own managed paths count as cached', () => {
    const local = createResolver({ config: CORPUS_CONFIG, registryHost: '127.0.0.1:5001' });
    expect(local('127.0.0.1:5001/docker-hub/library/nginx:1').status).toBe('cached');
    expect(local('127.0.0.1:5001/other/app:1').status).toBe('uncovered');
  });

  test('the first of two rules for the same upstream serves it', () => {
    const config = {
      ...CORPUS_CONFIG,
      rules: [
        ...CORPUS_CONFIG.rules,
        { prefix: 'dh2', upstream: 'docker-hub' as const, credentials: { secretName: 'ecr-pullthroughcache/dh2' } },
      ],
    };
    expect(createResolver({ config, registryHost: REGISTRY })('nginx').cacheRepository).toBe('docker-hub/library/nginx');
  });
});

describe('the one-expression fast path', () => {
  function outcomeOf(parseFn: (ref: string) => unknown, ref: string): unknown {
    try {
      return parseFn(ref);
    } catch (err) {
      return (err as Error).message;
    }
  }

  test('accepts and normalizes exactly what the step-by-step parse does, on the corpus', () => {
    for (const c of CORPUS) expect(outcomeOf(parseReference, c[0])).toEqual(outcomeOf(parseSlowly, c[0]));
  });

  test('accepts and normalizes exactly what the step-by-step parse does, on generated strings', () => {
    const piece = fc.constantFrom(
      'a',
      'b1',
      'x.y',
      'A',
      '-',
      '_',
      '__',
      '.',
      '/',
      '//',
      ':',
      ':5000',
      '@',
      `@sha256:${'d'.repeat(64)}`,
      'sha256',
      'localhost',
      'docker.io',
      '[::1]',
      ' ',
      'é',
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 7 }), (parts) => {
        const ref = parts.join('');
        expect(outcomeOf(parseReference, ref)).toEqual(outcomeOf(parseSlowly, ref));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('limits of the reference grammar and of the cache form', () => {
  test('a bare 64-hex image ID is invalid, not a Docker Hub name', () => {
    expect(() => resolve('a'.repeat(64))).toThrow(/image ID, not a repository name/);
    // With a host, or shorter, it is an ordinary name (distribution's TestValidateReferenceName).
    expect(resolve(`docker.io/${'a'.repeat(64)}`).output).toBe(`${REGISTRY}/docker-hub/library/${'a'.repeat(64)}:latest`);
  });

  test('a leading "[" that is not an IPv6 literal is not a host', () => {
    expect(() => resolve('[abc]/app:1')).toThrow(/path component "\[abc\]"/);
    expect(() => resolve('[zz::1]:5000/app')).toThrow(/not a valid registry host/);
    expect(resolve('[::1]:5000/app:1').status).toBe('uncovered');
  });

  test('a path over 255 characters (library/ included) is invalid, as in distribution', () => {
    expect(parseReference(`x/${'a'.repeat(253)}`).repository).toHaveLength(255);
    expect(() => resolve(`x/${'a'.repeat(254)}`)).toThrow(/repository path is 256 characters long; at most 255/);
    expect(() => resolve('a'.repeat(248))).toThrow(/repository path is 256 characters long/);
  });

  test('a valid reference whose cache name would pass 255 characters stays uncovered, with the reason', () => {
    // REGISTRY/docker-hub/ is REGISTRY.length + 12 characters; fill the rest up to 255 and one more.
    const fits = 255 - REGISTRY.length - '/docker-hub/'.length;
    const ok = resolve(`x/${'a'.repeat(fits - 2)}:1`);
    expect(ok.status).toBe('resolved');
    expect(`${REGISTRY}/${ok.cacheRepository!}`).toHaveLength(255);
    const over = resolve(`x/${'a'.repeat(fits - 1)}:1`);
    expect(over).toMatchObject({ status: 'uncovered', output: `x/${'a'.repeat(fits - 1)}:1` });
    expect(over.reason).toMatch(/would be 256 characters long; kubelet and containerd refuse names over 255/);
  });
});
