/**
 * Reads and validates a configuration file. This is the one edge where untyped input becomes a
 * `PtcConfig`; everything after it works on the parsed type.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors';
import { configSchema, type PtcConfig } from './schema';

/** Formats a zod path as users write it: `rules[1].credentials.secretName`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

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
  throw new ConfigError(toIssues(result.error), file);
}

function toIssues(error: z.ZodError, locate: (path: PropertyKey[]) => string = () => ''): ConfigIssue[] {
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

/**
 * Parses YAML text into a validated configuration. Issues carry the line they point at when the
 * path exists in the document.
 *
 * @throws ConfigError for YAML syntax errors and schema violations.
 */
export function parseConfigText(text: string, file?: string): PtcConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.pos ? lineCounter.linePos(e.pos[0]) : undefined;
        const where = pos ? ` (line ${pos.line}, column ${pos.col})` : '';
        return { path: '', message: `invalid YAML${where}: ${e.message.split('\n')[0]}` };
      }),
      file,
    );
  }
  const input: unknown = doc.toJS();
  if (input === null || input === undefined) {
    throw new ConfigError([{ path: '', message: `${file ?? 'the config'} holds no configuration (it is empty or only comments); config/example.yaml is a complete example` }], file);
  }
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const locate = (path: PropertyKey[]): string => {
    const node = path.length > 0 ? doc.getIn(path as unknown[], true) : undefined;
    return isNode(node) && node.range ? ` (line ${lineCounter.linePos(node.range[0]).line})` : '';
  };
  throw new ConfigError(toIssues(result.error, locate), file);
}

/**
 * Reads a configuration file from disk.
 *
 * @throws ConfigError when the file is missing, unreadable or invalid.
 */
export function loadConfig(file: string): PtcConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'unknown error'})`;
    throw new ConfigError([{ path: '', message: `${file}: ${reason}` }], file);
  }
  return parseConfigText(text, file);
}
