/**
 * One invocation of rule validation: the schedule or a direct invocation validates every rule;
 * an `ECR Pull Through Cache Action` event is counted when it failed; anything else is dropped.
 */
import type { RuleConfig } from '../../core/config/schema';
import { classifyEvent } from './events';
import { recordSyncEvent, type SyncOutcome } from './sync-failures';
import { validateRules, type RuleCheck, type ValidationDeps } from './validate';

/** What the function returns. */
export type ValidationResult =
  | { kind: 'validated'; valid: number; invalid: number; checks: readonly RuleCheck[] }
  | { kind: 'sync'; outcome: SyncOutcome }
  | { kind: 'dropped'; reason: string };

/** Handles one event. */
export async function handleValidationEvent(event: unknown, rules: readonly RuleConfig[], deps: ValidationDeps): Promise<ValidationResult> {
  const trigger = classifyEvent(event);
  if (trigger.kind === 'drop') {
    deps.log.warn('event dropped', { reason: trigger.reason });
    return { kind: 'dropped', reason: trigger.reason };
  }
  if (trigger.kind === 'sync') return { kind: 'sync', outcome: recordSyncEvent(trigger.detail, rules, deps) };
  const checks = await validateRules(rules, deps);
  const valid = checks.filter((c) => c.valid === true).length;
  deps.log.info('rule validation finished', { source: trigger.source, valid, invalid: checks.length - valid });
  return { kind: 'validated', valid, invalid: checks.length - valid, checks };
}
