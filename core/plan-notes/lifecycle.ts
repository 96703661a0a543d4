/**
 * The lifecycle part of `ptc plan`: what happens to untagged images, which include the platform
 * manifests of every cached multi-arch tag.
 */
import type { EffectiveSettings } from '../policy/types';

/** Where the evidence about lifecycle policies and image indexes is written down. */
export const LIFECYCLE_EVIDENCE = 'docs/reconciler.md, "Lifecycle and multi-arch images"';

/** One sentence on what the lifecycle policy does with untagged images. */
export function untaggedImagesNote(lifecycle: EffectiveSettings['lifecycle']): string {
  if (lifecycle.untaggedExpireDays === undefined) {
    return (
      'kept (no untagged rule): the platform manifests of a cached multi-arch tag are untagged images, and ECR does not document ' +
      `that an untagged rule spares what a kept image index references (${LIFECYCLE_EVIDENCE})`
    );
  }
  return (
    `expire ${lifecycle.untaggedExpireDays} days after push, which can include the platform manifests of a multi-arch tag that is still kept ` +
    `(ECR does not document otherwise; ${LIFECYCLE_EVIDENCE}); leave untaggedExpireDays unset to keep them`
  );
}
