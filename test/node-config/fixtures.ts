/**
 * Configs and image sets shared by the mirror tests. The config is invented: one rule per
 * upstream kind ptc-autopilot supports, named like config/example.yaml's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfigText, type PtcConfig } from '../../core';

/** Every upstream kind, so each hosts directory ptc-autopilot can write appears. */
export const ALL_UPSTREAMS_YAML = [
  'account: "111122223333"',
  'region: eu-west-2',
  'rules:',
  '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
  '  - { prefix: github, upstream: github-container-registry, credentials: { secretName: ecr-pullthroughcache/github } }',
  '  - { prefix: quay, upstream: quay }',
  '  - { prefix: k8s, upstream: k8s }',
  '  - { prefix: ecr-public, upstream: ecr-public }',
  '  - { prefix: gitlab, upstream: gitlab-container-registry, credentials: { secretName: ecr-pullthroughcache/gitlab } }',
  '  - { prefix: chainguard, upstream: chainguard, credentials: { secretName: ecr-pullthroughcache/chainguard } }',
  '  - { prefix: azure, upstream: azure-container-registry, registryUrl: myregistry.azurecr.io, credentials: { secretName: ecr-pullthroughcache/azure } }',
  '  - { prefix: platform, upstream: ecr, upstreamAccount: "444455556666", upstreamRegion: us-east-1, customRoleArn: "arn:aws:iam::111122223333:role/ptc-upstream" }',
  '',
].join('\n');

/** The same config with the ECR upstream limited to an upstream repository prefix. */
export const PREFIXED_ECR_YAML = ALL_UPSTREAMS_YAML.replace(
  'customRoleArn: "arn:aws:iam::111122223333:role/ptc-upstream" }',
  'customRoleArn: "arn:aws:iam::111122223333:role/ptc-upstream", upstreamRepositoryPrefix: team }',
);

/** Parses a YAML config text. */
export function configOf(yaml: string): PtcConfig {
  return parseConfigText(yaml, 'test.yaml');
}

/** Writes a config text to a new temporary file and returns its path. */
export function configFile(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-node-config-'));
  const file = path.join(dir, 'ptc.yaml');
  writeFileSync(file, yaml);
  return file;
}
