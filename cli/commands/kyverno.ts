import type { DigestPinnedMode } from '../../core';
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
    .option('-e, --environment <name>', 'the environment whose cache registry to use (default: the only one, or the top-level account/region)')
    .option('--name <name>', 'policy name', 'ptc-autopilot-image-cache')
    .addOption(digestPinnedOption())
    .action((opts: RegistryOptions & { name: string; digestPinned: DigestPinnedMode }) => {
      // metadata.name of a cluster-scoped resource: a DNS-1123 subdomain.
      if (opts.name.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(opts.name)) {
        throw new RegistryOptionError(`--name must be a Kubernetes resource name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit), got "${opts.name}"`);
      }
      const ctx = resolveContext(io, opts);
      io.stdout(kyvernoPolicyYaml(ctx.config, ctx.registryHost, { name: opts.name, digestPinned: opts.digestPinned }));
    });
};
