/**
 * Routing of seeded digests: a digest-pinned image of a pull-through upstream that a rule seeds
 * goes to the cache in every `--digest-pinned` mode (the seed is in the cache byte for byte), in
 * the resolver's policy, `ptc rewrite`, the Kyverno policy (checked against the resolver) and
 * eviction's pins; any other digest-pinned image keeps today's behaviour. Invented config: the
 * README's Docker Hub and registry.k8s.io rules with seeds of our own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { run } from '../../cli/main';
import { createResolver, digestPinnedPolicy, parseConfig, pinnedReason, type DigestPinnedMode } from '../../core';
import { pinnedImages } from '../../core/eviction/pins';
import { decodeEvictSettings, encodeEvictSettings } from '../../core/lambda-contracts/evict-images/settings';
import { kyvernoPolicyYaml } from '../../core/kyverno';
import { recordingIo } from '../cli/fake-io';
import { evaluateRule, type PolicyRule } from '../image-ref/kyverno-eval';
import { D1, D2, D3, dockerHubSeeding, WHERE } from './fixtures';

const REGISTRY = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const RAW = {
  ...WHERE,
  rules: [dockerHubSeeding([`nginx@${D1}`, `bitnami/redis:7.2@${D2}`]), { prefix: 'k8s', upstream: 'k8s' }],
};
const config = parseConfig(RAW);
const resolve = createResolver({ config, registryHost: REGISTRY });

/** [reference, output with the default policy (upstream)]: seeded digests go to the cache, others stay. */
const CASES: [string, string][] = [
  [`nginx@${D1}`, `${REGISTRY}/docker-hub/library/nginx@${D1}`],
  [`docker.io/library/nginx@${D1}`, `${REGISTRY}/docker-hub/library/nginx@${D1}`],
  [`index.docker.io/library/nginx:1.27@${D1}`, `${REGISTRY}/docker-hub/library/nginx:1.27@${D1}`],
  [`nginx:any-tag@${D1}`, `${REGISTRY}/docker-hub/library/nginx:any-tag@${D1}`],
  [`bitnami/redis@${D2}`, `${REGISTRY}/docker-hub/bitnami/redis@${D2}`],
  [`bitnami/redis:7.2@${D2}`, `${REGISTRY}/docker-hub/bitnami/redis:7.2@${D2}`],
  // Not seeded: another digest of a seeded repository, a seeded digest under another name.
  [`nginx@${D3}`, `nginx@${D3}`],
  [`library/httpd@${D1}`, `library/httpd@${D1}`],
  [`registry.k8s.io/pause@${D1}`, `registry.k8s.io/pause@${D1}`],
  ['nginx:1.27', `${REGISTRY}/docker-hub/library/nginx:1.27`],
];

describe('the digest-pinned policy with seeds', () => {
  test.each(CASES)('%s -> %s (default: upstream)', (ref, output) => {
    expect(digestPinnedPolicy(config, 'upstream')(resolve(ref)).output).toBe(output);
  });

  test.each(['upstream', 'prewarmed', 'cache'] as DigestPinnedMode[])(
    'in mode %s a seeded digest goes to the cache, known to be cached',
    (mode) => {
      const r = digestPinnedPolicy(config, mode)(resolve(`nginx@${D1}`));
      expect(r).toMatchObject({ status: 'resolved', seeded: true, digestCached: true, cacheRepository: 'docker-hub/library/nginx' });
    },
  );

  test("an unseeded digest-pinned image left upstream says it can be added to its rule's seeds", () => {
    const r = digestPinnedPolicy(config, 'upstream')(resolve(`nginx@${D3}`));
    expect(r.status).toBe('pinned');
    expect(pinnedReason(r)).toMatch(/; or add it to the seeds of rule docker-hub and run ptc copy$/);
  });
});

describe('the Kyverno policy with seeds', () => {
  test.each(['upstream', 'prewarmed', 'cache'] as DigestPinnedMode[])('rewrites exactly what the resolver rewrites, in mode %s', (mode) => {
    const doc = parse(kyvernoPolicyYaml(config, REGISTRY, { digestPinned: mode })) as { spec: { rules: PolicyRule[] } };
    const rule = doc.spec.rules.find((r) => r.name === 'containers')!;
    const policy = digestPinnedPolicy(config, mode);
    for (const [ref] of CASES) {
      expect({ ref, image: evaluateRule(rule, 'containers', ref).image }).toEqual({ ref, image: policy(resolve(ref)).output });
    }
  });

  test('an image rewritten to its seed is not rewritten again', () => {
    const doc = parse(kyvernoPolicyYaml(config, REGISTRY)) as { spec: { rules: PolicyRule[] } };
    const rule = doc.spec.rules.find((r) => r.name === 'containers')!;
    expect(evaluateRule(rule, 'containers', `${REGISTRY}/docker-hub/library/nginx@${D1}`).applied).toBe(0);
  });
});

describe('eviction pins', () => {
  test('pin each seeded digest and its seed tag in its cache repository, naming the seed', () => {
    const pins = pinnedImages(config, REGISTRY);
    expect(pins.digests.has(`docker-hub/library/nginx@${D1}`)).toBe(true);
    expect(pins.tags.has(`docker-hub/library/nginx:ptc-seed-${'1'.repeat(32)}`)).toBe(true);
    expect(pins.sources.get(`docker-hub/bitnami/redis@${D2}`)).toBe('rules[0].seeds[1]');
    expect(pins.digests.has(`docker-hub/library/nginx@${D3}`)).toBe(false);
  });

  test('the eviction Lambda pins the same seeds from its settings variable', () => {
    const payload = decodeEvictSettings(encodeEvictSettings(config, { account: '111122223333', region: 'eu-west-2' }));
    expect(pinnedImages(payload, REGISTRY)).toEqual(pinnedImages(config, REGISTRY));
  });
});

describe('ptc rewrite with seeds', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ptc-seed-routing-'));
    writeFileSync(path.join(dir, 'ptc.yaml'), JSON.stringify(RAW));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('rewrites a seeded digest and leaves an unseeded one upstream, with the default --digest-pinned', async () => {
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:',
      '  containers:',
      `    - {name: a, image: "nginx@${D1}"}`,
      `    - {name: b, image: "nginx@${D3}"}`,
      '',
    ].join('\n');
    const io = recordingIo({ stdin: pod });
    expect(await run(['rewrite', '-c', path.join(dir, 'ptc.yaml')], io)).toBe(0);
    expect(io.out).toContain(`image: "${REGISTRY}/docker-hub/library/nginx@${D1}"`);
    expect(io.out).toContain(`image: "nginx@${D3}"`);
    expect(io.err).toContain(`nginx@${D3} digest-pinned, left upstream`);
    expect(io.err).not.toContain(`nginx@${D1} digest-pinned`);
  });
});
