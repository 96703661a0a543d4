/**
 * The prefixes ptc-autopilot manages: each rule's (cache repositories, created on first pull) and
 * each `copies` entry's (copy repositories, created on the first push of a copy). The reconciler,
 * `ptc desired-state`, the creation templates and the node policies read this one table, so a copy
 * repository gets the same life as a cache repository (docs/copy.md, "Repositories").
 */
import type { PtcConfig } from '../config/schema';

/**
 * The parts of the config that say which prefixes are managed. `copies` carries only prefixes here:
 * the reconciler's payload holds `{ prefix }` per entry (the image lists stay out of its 4 KB).
 */
export type ManagedScope = Pick<PtcConfig, 'rules'> & { readonly copies?: readonly { readonly prefix: string }[] | undefined };

/** Which kind of repositories a managed prefix holds. */
export type ManagedPrefixKind = 'cache' | 'copy';

/** A managed prefix and the kind of its repositories. */
export interface ManagedPrefix {
  readonly prefix: string;
  readonly kind: ManagedPrefixKind;
}

/** The `copies` prefixes, in config order. */
export function copyPrefixes(config: Pick<ManagedScope, 'copies'>): string[] {
  return (config.copies ?? []).map((c) => c.prefix);
}

/** Every managed prefix with its kind: the rules' first, then the copies', in config order. */
export function allManagedPrefixes(config: ManagedScope): ManagedPrefix[] {
  return [
    ...config.rules.map((r) => ({ prefix: r.prefix, kind: 'cache' as const })),
    ...copyPrefixes(config).map((prefix) => ({ prefix, kind: 'copy' as const })),
  ];
}

/**
 * The managed prefix whose namespace holds `repositoryName`, matching whole path components
 * (`gcr/distroless/static` is under `gcr`, `gcrx/static` is not), the longest one when several do.
 * @example
 * managedPrefixFor(config, 'gcr/distroless/static') // { prefix: 'gcr', kind: 'copy' } with a copies entry gcr
 * managedPrefixFor(config, 'team-a/service')        // undefined
 */
export function managedPrefixFor(config: ManagedScope, repositoryName: string): ManagedPrefix | undefined {
  let best: ManagedPrefix | undefined;
  for (const managed of allManagedPrefixes(config)) {
    if (repositoryName.startsWith(`${managed.prefix}/`) && (best === undefined || managed.prefix.length > best.prefix.length)) {
      best = managed;
    }
  }
  return best;
}

/** Whether `prefix` is a `copies` entry's prefix. */
export function isCopyPrefix(config: Pick<ManagedScope, 'copies'>, prefix: string): boolean {
  return copyPrefixes(config).includes(prefix);
}
