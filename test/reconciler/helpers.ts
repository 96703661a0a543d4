import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parseConfig, type PtcConfig } from '../../core';
import type { InvocationDeps } from '../../functions/reconcile-repository/run';
import { MetricTotals, type LogAttributes, type ReconcilerLogger } from '../../engines/reconcile/telemetry';
import { ACCOUNT, REGION } from './fake-registry';

/** The raw input of `reconcilerTestConfig` (the benchmark sends it to its fake ECR process as is). */
export const RECONCILER_TEST_CONFIG_INPUT = {
  account: ACCOUNT,
  region: REGION,
  rules: [
    { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
    { prefix: 'k8s', upstream: 'k8s' },
    { prefix: 'ecr', upstream: 'ecr-public' },
  ],
  repositories: {
    lifecycle: { untaggedExpireDays: 7, keepLastTagged: 50 },
    pullAccounts: ['444455556666'],
    pullOrganizations: ['o-a1b2c3d4e5'],
    tags: { team: 'platform' },
    scanOnPush: true,
    overrides: [{ prefix: 'k8s', lifecycle: { keepLastTagged: 20 }, imageTagMutability: 'IMMUTABLE' }],
  },
};

/** A config with cross-account and organization pull, base tags and a k8s override. */
export function reconcilerTestConfig(overrides: Record<string, unknown> = {}): PtcConfig {
  return parseConfig({ ...RECONCILER_TEST_CONFIG_INPUT, ...overrides });
}

/** A documented event fixture from test/fixtures/events. */
export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'events', `${name}.json`), 'utf8'));
}

/** One recorded log line. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: LogAttributes;
}

/** A logger that keeps every line. */
export function recordingLogger(): ReconcilerLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, attributes: LogAttributes = {}) => {
      lines.push({ level, message, attributes });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Dependencies for handleEvent with recording logger and in-memory metric totals. */
export function testDeps(ecr: ECRClient, events: EventBridgeClient, overrides: Partial<InvocationDeps> = {}) {
  const log = recordingLogger();
  const metrics = new MetricTotals();
  const deps: InvocationDeps = {
    ecr,
    events,
    config: reconcilerTestConfig(),
    partition: 'aws',
    log,
    metrics,
    concurrency: 4,
    retryDelayMs: 0,
    ...overrides,
  };
  return { deps, log, metrics: metrics.totals };
}
