/**
 * Eviction of what nobody pulls, index-aware and safe: the pure domain (docs/eviction.md).
 */
export type { EvictionSettings, GroupDecision, ImageRecord, PinnedImages, PrefixTotals, RepositoryImages, RepositoryPlan } from './types';
export { DEFAULT_EVICTION_MODE, effectiveEviction, evictionEnabled } from './settings';
export { EVICT_SETTINGS_VARIABLE, evictPayload, type EvictPayload } from './payload';
export { compileProtect, protectedBy, type ProtectMatcher } from './patterns';
export { buildGraph, INDEX_MEDIA_TYPES, isIndex, memberBytes, type ImageGraph } from './graph';
export { planRepository, PULL_RECORD_LAG_MS, type PlanOptions } from './plan';
export { NO_PINS, pinnedImages } from './pins';
