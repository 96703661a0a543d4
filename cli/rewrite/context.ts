/**
 * The cache registry a command points workloads at: the config's primary target, optionally
 * overridden by `--account` and `--region`.
 */
import { PtcError, ecrRegistryHost, primaryTarget, type ResolveContext } from '../../core';
import { readConfig, type CliIo } from '../io';

/** The options every image-reference command shares. */
export interface RegistryOptions {
  /** Config file; default `$PTC_CONFIG`, then `./ptc.yaml`. */
  config?: string;
  /** Overrides the account of the config's target registry. */
  account?: string;
  /** Overrides the region of the config's target registry. */
  region?: string;
  /** The environment whose registry to use. @default the only one, or the top-level account/region */
  environment?: string;
}

/** A bad `--account` or `--region` value. */
export class RegistryOptionError extends PtcError {}

/**
 * Loads the config and picks the cache registry host.
 * @throws ConfigError for a bad config; RegistryOptionError for a bad `--account` or `--region`.
 */
export function resolveContext(io: CliIo, opts: RegistryOptions): ResolveContext {
  const config = readConfig(io, opts.config);
  if (opts.account !== undefined && !/^\d{12}$/.test(opts.account)) {
    throw new RegistryOptionError(`--account must be a 12-digit AWS account ID, got "${opts.account}"`);
  }
  if (opts.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(opts.region)) {
    throw new RegistryOptionError(`--region must be an AWS region code such as "eu-west-2", got "${opts.region}"`);
  }
  if (opts.account !== undefined && opts.region !== undefined && opts.environment === undefined) {
    return { config, registryHost: ecrRegistryHost(opts.account, opts.region) };
  }
  const target = primaryTarget(config, opts.environment);
  return { config, registryHost: ecrRegistryHost(opts.account ?? target.account, opts.region ?? target.region) };
}
