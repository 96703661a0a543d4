/**
 * Validates an already-parsed configuration document. Kept apart from the YAML reader (`load.ts`)
 * so the Lambdas, which receive their config as JSON, bundle the schema without the YAML parser.
 */
import type * as z from 'zod/mini';
import { ConfigError, type ConfigIssue } from '../errors';
import type { PtcConfig } from './schema';
import { configSchema } from './validate';

export { formatPath } from './format-path';
import { formatPath } from './format-path';

/**
 * Validates an already-parsed document (for example from JSON or a test).
 *
 * @throws ConfigError listing every problem with its field path.
 * @example
 * const config = parseConfig({ account: '111122223333', region: 'eu-west-2', rules: [{ prefix: 'k8s', upstream: 'k8s' }] });
 */
export function parseConfig(input: unknown, file?: string): PtcConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(configIssuesOf(result.error), file);
}

/** The issues of a failed parse, each once, with its path as users write it. */
export function configIssuesOf(error: z.core.$ZodError, locate: (path: PropertyKey[]) => string = () => ''): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const path = formatPath(issue.path);
    const key = `${path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message: `${issue.message}${locate(issue.path)}` });
  }
  return issues;
}
