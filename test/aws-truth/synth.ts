/**
 * The two configs the AWS-truth harness checks, synthesized the way `cdk synth` does (a cloud
 * assembly in a temporary folder), so templates, asset bundles and environments are what a deploy
 * would upload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig, type PtcConfig } from '../../core';
import { buildApp } from '../../infra/build-app';
import { everyFeatureTwoEnvironments, replicaDestinationsWithKeys } from '../infra/helpers';

export const ROOT = path.join(__dirname, '..', '..');

/** A CloudFormation resource as synthesized. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: unknown;
  readonly Metadata?: unknown;
  readonly Condition?: string;
}

/** One synthesized stack. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly resources: Record<string, CfnResource>;
}

/** A synthesized app. */
export interface Synthesized {
  readonly name: string;
  readonly config: PtcConfig;
  readonly outdir: string;
  readonly stacks: readonly SynthesizedStack[];
}

/** The configs the README's test command checks against AWS's published truth. */
export const TRUTH_CONFIGS: ReadonlyArray<{ readonly name: string; readonly config: () => PtcConfig }> = [
  { name: 'config/example.yaml', config: () => loadConfig(path.join(ROOT, 'config', 'example.yaml')) },
  { name: 'every feature, two environments', config: everyFeatureTwoEnvironments },
  { name: 'replication to registries no environment deploys, KMS keys per destination', config: replicaDestinationsWithKeys },
];

/**
 * Synthesizes a config into a temporary cloud assembly. Without `bundle`, Lambda code is not
 * bundled (the templates are otherwise identical); with it, each `asset.<hash>` folder holds the
 * esbuild output `PtcFunction` ships.
 */
export function synthesize(name: string, config: PtcConfig, options: { bundle?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ptc-truth-'));
  const context = options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] };
  const { app } = buildApp(config, { nag: false, app: new App({ outdir, context }) });
  const assembly = app.synth();
  const stacks = assembly.stacks.map((s) => ({
    stackName: s.stackName,
    account: s.environment.account,
    region: s.environment.region,
    resources: (s.template as { Resources: Record<string, CfnResource> }).Resources,
  }));
  return { name, config, outdir, stacks };
}

/** Every resource of every stack, with where it is. */
export function allResources(
  synthesized: readonly Synthesized[],
): Array<{ where: string; stack: SynthesizedStack; logicalId: string; resource: CfnResource }> {
  return synthesized.flatMap((s) =>
    s.stacks.flatMap((stack) =>
      Object.entries(stack.resources).map(([logicalId, resource]) => ({
        where: `${s.name} ${stack.stackName} ${logicalId}`,
        stack,
        logicalId,
        resource,
      })),
    ),
  );
}

/** Removes the temporary cloud assemblies (call from `afterAll`). */
export function removeAssemblies(synthesized: readonly Synthesized[]): void {
  for (const s of synthesized) rmSync(s.outdir, { recursive: true, force: true });
}
