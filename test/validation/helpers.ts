import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig, type PtcConfig } from '../../core';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const TIMESTAMPS = new Set(['createdAt', 'updatedAt', 'expiresAt', 'CreatedDate', 'LastModifiedDate']);

/**
 * A fixture (`validation/x.json`, `prewarm/x.json`, `events/x.json`) as the SDK returns it: the
 * wire format's epoch-second timestamps become `Date`s.
 */
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'), (key, value) =>
    TIMESTAMPS.has(key) && typeof value === 'number' ? new Date(value * 1000) : value,
  ) as T;
}

/** Rules matching the DescribePullThroughCacheRules fixture: a created secret, an imported one, and no credentials. */
export function validationConfig(extraRules: Record<string, unknown>[] = []): PtcConfig {
  return parseConfig({
    account: '111122223333',
    region: 'eu-west-2',
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      {
        prefix: 'github',
        upstream: 'github-container-registry',
        credentials: { secretArn: 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:ecr-pullthroughcache/github-AbCdEf' },
      },
      { prefix: 'k8s', upstream: 'k8s' },
      ...extraRules,
    ],
  });
}

/** A log line as recorded. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** A logger that records every line. */
export function recordingLog() {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      lines.push({ level, message, attributes });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Per-prefix metrics as recorded. */
export function recordingMetrics() {
  const values: { name: string; value: number; prefix: string }[] = [];
  return { values, put: (name: 'RuleValid' | 'SyncFailures', value: number, prefix: string) => values.push({ name, value, prefix }) };
}
