/**
 * The eviction settings of one prefix: the base `repositories.eviction` block with the prefix's
 * override applied. Absent blocks mean no eviction, today's behaviour.
 */
import type { PtcConfig } from '../config/schema';
import type { EvictionSettings } from './types';

/** The mode when the config names none: count and list, never delete. */
export const DEFAULT_EVICTION_MODE = 'report';

/**
 * The eviction settings of a prefix, or undefined when neither the base block nor the prefix's
 * override turns eviction on. Override keys replace the base keys, except `protect`, whose
 * patterns add to the base's (protection only ever widens).
 * @example
 * effectiveEviction(config, 'k8s') // { unpulledDays: 365, mode: 'report', protect: ['*:latest', 'k8s/*'] }
 */
export function effectiveEviction(config: Pick<PtcConfig, 'repositories'>, prefix: string): EvictionSettings | undefined {
  const base = config.repositories.eviction;
  const override = config.repositories.overrides?.find((o) => o.prefix === prefix)?.eviction;
  if (base === undefined && override === undefined) return undefined;
  const unpulledDays = override?.unpulledDays ?? base?.unpulledDays;
  // The schema refuses a block that leaves unpulledDays unset (evictionIssues); a config built in code may still.
  if (unpulledDays === undefined) return undefined;
  return {
    unpulledDays,
    mode: override?.mode ?? base?.mode ?? DEFAULT_EVICTION_MODE,
    protect: [...new Set([...(base?.protect ?? []), ...(override?.protect ?? [])])],
  };
}

/** Whether any prefix of the config has eviction on (the stack then deploys the eviction Lambda). */
export function evictionEnabled(config: Pick<PtcConfig, 'rules' | 'repositories'>): boolean {
  return config.rules.some((r) => effectiveEviction(config, r.prefix) !== undefined);
}
