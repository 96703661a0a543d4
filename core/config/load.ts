/**
 * Reads and validates a configuration file. This is the one edge where untyped input becomes a
 * `PtcConfig`; everything after it works on the parsed type.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isCollection, isNode, isPair, parseDocument, type Document } from 'yaml';
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
/**
 * How many nodes YAML aliases may add when expanded: any anchor may be reused as often as a config
 * needs (150 uses of one scalar add 150 nodes), while a "billion laughs" document, whose aliases
 * nest aliases, is refused by the size it would expand to before anything is expanded.
 */
export const CONFIG_MAX_ALIAS_NODES = 100_000;

/**
 * The number of nodes a document holds once its aliases are expanded (Infinity for an alias inside
 * its own anchor), without expanding it: each anchored node is measured once.
 */
export function expandedSize(doc: Document): number {
  const memo = new Map<unknown, number>();
  const open = new Set<unknown>();
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target === undefined ? 1 : open.has(target) ? Infinity : size(target);
    }
    if (isPair(node)) return size(node.key) + size(node.value);
    if (!isCollection(node)) return node === null || node === undefined ? 0 : 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    open.add(node);
    let total = 1;
    for (const item of node.items as unknown[]) total += size(item);
    open.delete(node);
    memo.set(node, total);
    return total;
  };
  return size(doc.contents);
}

/** The number of nodes a document holds as written (an alias is one node). */
function writtenSize(node: unknown): number {
  if (isPair(node)) return writtenSize(node.key) + writtenSize(node.value);
  if (!isCollection(node)) return node === null || node === undefined ? 0 : 1;
  let total = 1;
  for (const item of node.items as unknown[]) total += writtenSize(item);
  return total;
}

/**
 * Parses YAML text into a validated configuration. Issues carry the line they point at when the
 * path exists in the document.
 *
 * @throws ConfigError for YAML syntax errors and schema violations.
 */
export function parseConfigText(text: string, file?: string): PtcConfig {
  if (text.length > CONFIG_MAX_CHARS) {
    throw new ConfigError(
      [{ path: '', message: `${file ?? 'the config'} has ${text.length} characters; a config holds at most ${CONFIG_MAX_CHARS}` }],
      file,
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { path: '', message: `invalid YAML (line ${line}, column ${col}): ${e.message.split('\n')[0]}` };
      }),
      file,
    );
  }
  const added = expandedSize(doc) - writtenSize(doc.contents);
  if (added > CONFIG_MAX_ALIAS_NODES) {
    const much = Number.isFinite(added) ? `by ${added} nodes` : 'endlessly (an alias inside its own anchor)';
    throw new ConfigError(
      [
        {
          path: '',
          message: `invalid YAML: its aliases would expand ${much}, beyond ${CONFIG_MAX_ALIAS_NODES} (a "billion laughs" document); write the values out instead`,
        },
      ],
      file,
    );
  }
  // Sized above: the yaml package's own count (maxAliasCount) would refuse a mere 100 uses of one anchor.
  const input: unknown = doc.toJS({ maxAliasCount: -1 });
  if (input === null || input === undefined) {
    throw new ConfigError(
      [
        {
          path: '',
          message: `${file ?? 'the config'} holds no configuration (it is empty or only comments); config/example.yaml is a complete example`,
        },
      ],
      file,
    );
  }
  const result = configSchema.safeParse(input);
  const locate = (path: PropertyKey[]): string => {
    const node = path.length > 0 ? doc.getIn(path as unknown[], true) : undefined;
    return isNode(node) && node.range ? ` (line ${lineCounter.linePos(node.range[0]).line})` : '';
  };
  if (!result.success) throw new ConfigError(configIssuesOf(result.error, locate), file);
  // Limits that need the node config rendered (the schema, bundled into Lambdas, renders nothing).
  const limits = [...publishedNodeConfigIssues(result.data), ...consumerTemplateIssues(result.data)];
  if (limits.length > 0)
    throw new ConfigError(
      limits.map((i) => ({ path: formatPath(i.path), message: `${i.message}${locate(i.path)}` })),
      file,
    );
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
