/**
 * The eviction engine: walks the managed repositories with an injected ECR client and evicts
 * what nobody pulls (docs/eviction.md). The Lambda (functions/evict-images) and `ptc evict` run it.
 */
export { evict, type EvictOptions, type EvictReport, type RepositoryResult } from './run';
export type { PrefixTotals } from '../../core/eviction';
export { BATCH_DELETE_LIMIT, deleteDigests, type DeletionFailure, type DeletionOutcome } from './delete';
export { BATCH_GET_IMAGE_LIMIT, DESCRIBE_IMAGES_PAGE, describeAll, indexChildren, readChildren } from './ecr-reads';
export { withRetry, type RetryOptions } from './retry';
export { publishEvictionContinuation } from './continuation';
