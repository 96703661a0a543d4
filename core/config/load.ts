/**
 * Reads and validates a configuration file. This is the one edge where untyped input becomes a
 * `PtcConfig`; everything after it works on the parsed type.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { ConfigError } from '../errors';
import { configIssuesOf, formatPath } from './parse';
import { consumerTemplateIssues } from '../consumers/template-size';
import { publishedNodeConfigIssues } from './node-config-limits';
import type { PtcConfig } from './schema';
import { configSchema } from './validate';

/**
 * The largest config text read: 4 Mi characters, room for far more than ECR's 50 rules with every
 * setting spelled out, and a bound on the parser's time and memory.
 */
export const CONFIG_MAX_CHARS = 4 * 1024 * 1024;
/** How far YAML aliases may expand (the yaml package's `maxAliasCount`, its default made explicit). */
export const CONFIG_MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML text into a validated configuration. Issues carry the line they point at when the
 * path exists in the document.
 *
 * @throws ConfigError for YAML syntax errors and schema violations.
 */
export function parseConfigText(text: string, file?: string): PtcConfig {
  if (text.length > CONFIG_MAX_CHARS) {
    throw new ConfigError([{ path: '', message: `${file ?? 'the config'} has ${text.length} characters; a config holds at most ${CONFIG_MAX_CHARS}` }], file);
  }
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
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: CONFIG_MAX_ALIAS_COUNT });
  } catch (err) {
    // The yaml package throws ReferenceError when aliases expand past maxAliasCount (a "billion laughs" document).
    if (!(err instanceof ReferenceError)) throw err;
    throw new ConfigError([{ path: '', message: `invalid YAML: its aliases expand beyond ${CONFIG_MAX_ALIAS_COUNT} copies (${err.message}); write the values out instead` }], file);
  }
  if (input === null || input === undefined) {
    throw new ConfigError([{ path: '', message: `${file ?? 'the config'} holds no configuration (it is empty or only comments); config/example.yaml is a complete example` }], file);
  }
  const result = configSchema.safeParse(input);
  const locate = (path: PropertyKey[]): string => {
    const node = path.length > 0 ? doc.getIn(path as unknown[], true) : undefined;
    return isNode(node) && node.range ? ` (line ${lineCounter.linePos(node.range[0]).line})` : '';
  };
  if (!result.success) throw new ConfigError(configIssuesOf(result.error, locate), file);
  // Limits that need the node config rendered (the schema, bundled into Lambdas, renders nothing).
  const limits = [...publishedNodeConfigIssues(result.data), ...consumerTemplateIssues(result.data)];
  if (limits.length > 0) throw new ConfigError(limits.map((i) => ({ path: formatPath(i.path), message: `${i.message}${locate(i.path)}` })), file);
  return result.data;
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
