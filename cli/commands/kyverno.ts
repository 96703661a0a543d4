import { consumerHubTarget, type DigestPinnedMode } from '../../core';
import { readConfig } from '../io';
import { kyvernoPolicyYaml } from '../../core/kyverno';
import { digestPinnedOption } from '../rewrite/digest-option';
import { RegistryOptionError, resolveContext, type RegistryOptions } from '../rewrite/context';
import type { RegisterCommand } from './types';

/**
 * `ptc kyverno [--config FILE] [--account ID] [--region R] [--name NAME]`: prints a Kyverno
 * ClusterPolicy that mutates Pods to pull covered images through the cache.
 */
export const registerKyverno: RegisterCommand = (program, io) => {
  program
    .command('kyverno')
    .description('print a Kyverno ClusterPolicy that makes every Pod pull covered images through the cache')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('--account <id>', "cache registry account (default: the config's target)")
    .option('--region <region>', "cache registry region (default: the config's target)")
    .option(
      '-e, --environment <name>',
      'the environment whose cache registry to use (default: the only one, or the top-level account/region)',
    )
    .option('--consumer <name>', 'for the consumer account NAME (config "consumers"): target the hub registry its nodes pull through')
    .option('--name <name>', 'policy name', 'ptc-autopilot-image-cache')
    .addOption(digestPinnedOption())
    .action((opts: RegistryOptions & { name: string; digestPinned: DigestPinnedMode; consumer?: string }) => {
      // metadata.name of a cluster-scoped resource: a DNS-1123 subdomain.
      if (opts.name.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(opts.name)) {
        throw new RegistryOptionError(
          `--name must be a Kubernetes resource name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit), got "${opts.name}"`,
        );
      }
      const ctx = opts.consumer === undefined ? resolveContext(io, opts) : consumerContext(io, opts, opts.consumer);
      io.stdout(kyvernoPolicyYaml(ctx.config, ctx.registryHost, { name: opts.name, digestPinned: opts.digestPinned }));
    });
};

/** The flags that choose a registry, as given beside `--consumer`. */
export function registryFlagsGiven(opts: { account?: string; region?: string; environment?: string; registryUrl?: string }): string[] {
  return (['account', 'region', 'environment', 'registryUrl'] as const)
    .filter((k) => opts[k] !== undefined)
    .map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
}

/** `--consumer NAME`: the config and the registry of the hub that consumer pulls through. */
export function consumerContext(
  io: Parameters<RegisterCommand>[1],
  opts: RegistryOptions,
  name: string,
): { config: ReturnType<typeof readConfig>; registryHost: string } {
  const config = readConfig(io, opts.config);
  return { config, registryHost: consumerHubTarget(config, name, registryFlagsGiven(opts)).registryHost };
}
