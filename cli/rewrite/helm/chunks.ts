/**
 * Cutting a values document at its top-level keys, so each part is parsed on its own and a large
 * file never becomes one large document tree (50 MB of values is 250 charts' worth of parts, not
 * one tree of a gigabyte); a top-level entry holding a block map is cut again at that map's keys
 * (`nestedChunks`), so no part is a whole chart's values and each tree dies young. In a block mapping at the root, every line that starts in column 0 and
 * is neither a comment nor a `-` (a sequence may sit at its key's indentation) starts the next key,
 * so the cut is exact. Anchors and aliases can reach across parts, and flow or non-map roots do not
 * cut this way: those documents are kept whole. A line whose first non-blank character is `#` never
 * holds an anchor or alias (it is a comment, or text inside a block or quoted scalar), so a `*name`
 * in a comment, which real values files have (redis: "based on the *podSecurityContext/..."), does
 * not keep the document whole.
 */

/** One top-level entry (with the comments before it) and where it starts in the document. */
export interface Chunk {
  offset: number;
  text: string;
  /** The entry's value starts on its key's line: a scalar (or flow value), which is cheap to parse. */
  inline: boolean;
  /** The top-level key, as written. */
  key: string;
}

const KEY_LINE = /^(?![#\s-])(?!\.\.\.)(?!---)([^\n]+)$/gm;
/** An anchor (`&a`) or alias (`*a`) on a line that is not a comment line. */
const ANCHOR_OR_ALIAS = /^(?![ \t]*#)[^\n]*?(?:^|[\s[{,:])[&*][^\s,[\]{}]+/m;
const KEY = /^(?:"([^"]*)"|'([^']*)'|([^:#]+?))[ \t]*:(?:[ \t]+(.*))?$/;

/**
 * The top-level entries of one YAML document, or undefined when the document must be parsed
 * whole (anchors or aliases, a root that is not a block map, a line that does not read as a key).
 */
export function topLevelChunks(text: string): Chunk[] | undefined {
  if (ANCHOR_OR_ALIAS.test(text)) return undefined;
  const starts: { offset: number; key: string; inline: boolean }[] = [];
  KEY_LINE.lastIndex = 0;
  for (let m = KEY_LINE.exec(text); m !== null; m = KEY_LINE.exec(text)) {
    const line = m[1]!.replace(/\r$/, '');
    if (line === '') continue;
    const key = KEY.exec(line);
    if (key === null) return undefined;
    const rest = (key[4] ?? '').replace(/^#.*$/, '').trim();
    starts.push({ offset: m.index, key: key[1] ?? key[2] ?? key[3]!, inline: rest !== '' });
  }
  if (starts.length === 0) return undefined;
  return starts.map((s, i) => {
    const offset = i === 0 ? 0 : s.offset;
    const end = i + 1 < starts.length ? starts[i + 1]!.offset : text.length;
    return { offset, text: text.slice(offset, end), inline: s.inline, key: s.key };
  });
}

/** A cut turned out not to be exact (a part did not parse on its own, or held another kind of value than its text showed). */
export class ChunkError extends Error {}

/** The parts of one top-level entry whose value is a block map, cut at that map's own keys. */
export interface NestedChunks {
  /** Entries kept together as the map's own fields: scalar values and the keys in `CONTEXT_KEYS`. */
  context: Chunk[];
  /** Entries whose value is a block map or sequence, to be parsed one at a time. */
  rest: Chunk[];
}

/**
 * Keys whose presence (whatever their value) the recognizer reads in the map that holds them
 * (an image block's name, registry, tag and digest keys), and `global`, `hub`: always context.
 */
const CONTEXT_KEYS = new Set([
  'repository',
  'registry',
  'defaultRegistry',
  'tag',
  'imageTag',
  'digest',
  'imageDigest',
  'sha',
  'name',
  'imageName',
  'global',
  'hub',
]);
/** The first line of a block map entry or sequence item, as a value that starts on the next line. */
const COLLECTION_START = /^(?:-(?: |$)|[A-Za-z0-9_][A-Za-z0-9_./-]*:(?: |$)|"[^"\\]*":(?: |$)|'[^']*':(?: |$))/;
const BLANK = /^[ \t]*$/;

interface Line {
  offset: number;
  indent: number;
  /** The line without its indentation and line break. */
  content: string;
}

/** The lines of `text` from `from` that are neither blank nor comments. */
function* contentLines(text: string, from: number): Generator<Line> {
  for (let at = from; at < text.length;) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end).replace(/\r$/, '');
    if (!BLANK.test(line)) {
      const indent = /^ */.exec(line)![0].length;
      if (line[indent] !== '#') yield { offset: at, indent, content: line.slice(indent) };
    }
    at = end + 1;
  }
}

/**
 * The entries of a top-level entry's block map, cut where a line at the map's indentation starts
 * the next key (the rule `topLevelChunks` applies at column 0), so that an entry of 200 KB (a
 * whole chart's values under one key) is parsed as many small parts, each dropped once walked,
 * instead of as one large tree. Undefined when the value is not a block map this rule cuts
 * exactly (a scalar or sequence, a line indented less than the map, a line at its indentation
 * that does not read as a key, a key written twice).
 */
export function nestedChunks(chunk: Chunk): NestedChunks | undefined {
  if (chunk.inline) return undefined;
  const text = chunk.text;
  const lines = contentLines(text, 0);
  const head = lines.next();
  if (head.done === true || head.value.indent !== 0) return undefined;
  const starts: { offset: number; key: string; inline: boolean; collection: boolean }[] = [];
  let indent: number | undefined;
  /** The last key whose value is not on its line, until the line after it shows what the value is. */
  let pending: (typeof starts)[number] | undefined;
  for (const line of lines) {
    if (indent === undefined) {
      if (line.indent === 0 || line.content.startsWith('-')) return undefined;
      indent = line.indent;
    }
    if (line.indent < indent) return undefined;
    if (pending !== undefined) {
      pending.collection = (line.indent > indent || line.content.startsWith('-')) && COLLECTION_START.test(line.content);
      pending = undefined;
    }
    if (line.indent === indent && !line.content.startsWith('-')) {
      const key = KEY.exec(line.content);
      if (key === null) return undefined;
      const rest = (key[4] ?? '').replace(/^#.*$/, '').trim();
      const start = { offset: line.offset, key: key[1] ?? key[2] ?? key[3]!, inline: rest !== '', collection: false };
      if (!start.inline) pending = start;
      starts.push(start);
    }
  }
  if (starts.length < 2 || new Set(starts.map((s) => s.key)).size !== starts.length) return undefined;
  const out: NestedChunks = { context: [], rest: [] };
  starts.forEach((s, i) => {
    const offset = i === 0 ? text.indexOf('\n', head.value.offset) + 1 : s.offset;
    const end = i + 1 < starts.length ? starts[i + 1]!.offset : text.length;
    const part: Chunk = { offset: chunk.offset + offset, text: text.slice(offset, end), inline: s.inline, key: s.key };
    (s.collection && !CONTEXT_KEYS.has(s.key) ? out.rest : out.context).push(part);
  });
  return out;
}
