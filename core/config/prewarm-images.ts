/**
 * `prewarm.images` checked when the config is read: every entry must be an image reference that
 * parses (core/image-ref's parser) and that a rule covers in every stack (core/image-ref's
 * resolver), since prewarm fetches each image through the cache and would fail it on every run.
 */
import { InvalidReferenceError } from '../errors';
import { createResolver } from '../image-ref/resolve';
import { quote, truncate } from '../quote';
import { ecrRegistryHost } from '../upstreams';
import type { PtcConfig } from './schema';

/** One problem, located by its zod-style path. */
export interface PrewarmImageIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The cache registry of each stack the config deploys, with the environment's name. */
function registries(config: Pick<PtcConfig, 'account' | 'region' | 'environments'>): { name?: string; host: string }[] {
  if (config.environments !== undefined)
    return config.environments.map((e) => ({ name: e.name, host: ecrRegistryHost(e.account, e.region) }));
  if (config.account === undefined || config.region === undefined) return [];
  return [{ host: ecrRegistryHost(config.account, config.region) }];
}

/**
 * Every `prewarm.images` entry that is not a valid reference, or that no rule covers in one of the
 * stacks. Linear in the number of images times the number of environments (one resolver each).
 */
export function prewarmImageIssues(config: PtcConfig): PrewarmImageIssue[] {
  const issues: PrewarmImageIssue[] = [];
  if (config.prewarm.images.length === 0) return issues;
  const resolvers = registries(config).map((r) => ({ ...r, resolve: createResolver({ config, registryHost: r.host }) }));
  config.prewarm.images.forEach((image, index) => {
    const path = ['prewarm', 'images', index];
    for (const { name, resolve } of resolvers) {
      let status: string;
      let host: string;
      let copied: number | undefined;
      try {
        const resolution = resolve(image);
        status = resolution.status;
        host = resolution.reference.host;
        copied = resolution.rule === undefined ? resolution.copy?.index : undefined;
      } catch (err) {
        if (!(err instanceof InvalidReferenceError)) throw err;
        issues.push({ path, message: `${quote(image)} is not a valid image reference: ${truncate(err.reason, 200)}` });
        return;
      }
      if (copied !== undefined) {
        issues.push({
          path,
          message: `${quote(image)} is copied by copies[${copied}], not cached: prewarm warms the pull-through cache only, and ptc copy already puts the image in ECR; remove it from prewarm.images`,
        });
        return;
      }
      if (status === 'uncovered') {
        const where = name === undefined ? '' : ` in environment "${name}"`;
        issues.push({
          path,
          message: `no pull through cache rule covers ${quote(host)}${where}, so prewarm cannot fetch ${quote(image)} through the cache; add a rule for that registry or remove the image`,
        });
        return;
      }
    }
  });
  return issues;
}
