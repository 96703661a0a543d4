/**
 * Shared pieces of the copy-images tests: the fixtures of test/fixtures/copy-lambda (AWS-documented
 * response shapes, see its README), a log recorder with the FunctionLogger's four methods, and a
 * metric recorder.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CopyMetricName } from '../../core/lambda-contracts/copy-images/metric-names';

const DIR = path.join(__dirname, '..', 'fixtures', 'copy-lambda');
const TIMESTAMPS = new Set(['expiresAt', 'CreatedDate', 'LastModifiedDate', 'LastModified']);

/** A fixture of test/fixtures/copy-lambda, epoch-second timestamps as the SDK's Dates. */
export function copyFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(DIR, name), 'utf8'), (key, value) =>
    TIMESTAMPS.has(key) && typeof value === 'number' ? new Date(value * 1000) : value,
  ) as T;
}

/** GetAuthorizationToken's documented response with the token's password replaced (`AWS:<password>`). */
export function authorizationTokenFor(password: string): Record<string, any> {
  const doc = copyFixture('get-authorization-token.json');
  doc.authorizationData[0].authorizationToken = Buffer.from(`AWS:${password}`).toString('base64');
  return doc;
}

/** One recorded log line. */
export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly attributes?: Record<string, unknown>;
}

/** A FunctionLogger that keeps its lines. */
export function recorder(): {
  lines: LogLine[];
  log: Record<'debug' | 'info' | 'warn' | 'error', (m: string, a?: Record<string, unknown>) => void>;
} {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(attributes ? { attributes } : {}) });
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A metric sink that keeps `[prefix or 'total', name, value]`. */
export function metricRecorder(): {
  metrics: [string, CopyMetricName, number][];
  metric: (p: string | undefined, n: CopyMetricName, v: number) => void;
} {
  const metrics: [string, CopyMetricName, number][] = [];
  return { metrics, metric: (p, n, v) => void metrics.push([p ?? 'total', n, v]) };
}

/** The Body GetObject returns (the SDK's stream mixin offers `transformToString`). */
export const objectBody = (text: string) => ({ transformToString: async () => text }) as never;
