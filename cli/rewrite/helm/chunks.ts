/**
 * Cutting a values document at its top-level keys, so each part is parsed on its own and a large
 * file never becomes one large document tree (50 MB of values is 250 charts' worth of parts, not
 * one tree of a gigabyte). In a block mapping at the root, every line that starts in column 0 and
 * is neither a comment nor a `-` (a sequence may sit at its key's indentation) starts the next key,
 * so the cut is exact. Anchors and aliases can reach across parts, and flow or non-map roots do not
 * cut this way: those documents are kept whole.
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
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:])[&*][^\s,[\]{}]+/;
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
