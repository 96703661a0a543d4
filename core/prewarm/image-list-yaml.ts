/**
 * The YAML an image list needs, read without a YAML library (the `yaml` package is 117 KB of a
 * Lambda bundle whose budget is 150 KB): a block list of references (`- nginx:1.27`), optionally
 * under one `images:` key, or a flow list (`[nginx:1.27, "redis:7"]`, `images: [...]`,
 * `{images: [...]}`), with plain, 'single' or "double" quoted entries, `#` comments, an optional
 * leading `---`, CRLF line ends and a byte order mark. JSON is read with `JSON.parse`.
 *
 * Everything else YAML has (anchors and aliases, tags, block scalars, multi-line scalars, several
 * documents, nested collections, other keys) is refused with `UnsupportedYamlError`, never guessed:
 * test/prewarm/image-list-yaml.test.ts checks that whatever this reads, the `yaml` package reads
 * the same, on a corpus of ordinary and hostile lists and on generated ones.
 */

/** YAML outside what an image list needs; `feature` says which. */
export class UnsupportedYamlError extends Error {
  constructor(
    /** What was found, such as `an anchor or alias (line 3)`. */
    readonly feature: string,
  ) {
    super(feature);
    this.name = 'UnsupportedYamlError';
  }
}

/** An entry that YAML reads as something other than a string (a number, `true`, `null`, a map). */
export interface NotAString {
  readonly notAString: string;
}

/** What a list holds: strings, and entries YAML would read as another type (the caller refuses those). */
export type YamlListItem = string | NotAString;

/** A document: a list, or a map of keys to lists or scalars. */
export type YamlImageDocument = YamlListItem[] | Record<string, YamlListItem | YamlListItem[]>;

const MAX_FLOW_DEPTH = 2;

/** YAML 1.2 core schema: plain scalars that resolve to null, booleans, integers and floats. */
const NON_STRING_PLAIN =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** A line number (0-based), computed only when an error needs it. */
type Line = number | (() => number);

function unsupported(what: string, line: Line): never {
  throw new UnsupportedYamlError(`${what} (line ${(typeof line === 'number' ? line : line()) + 1})`);
}

/** A plain scalar's value, or the marker of a non-string; `text` is trimmed and not empty. */
function plain(text: string, line: Line, inFlow: boolean): YamlListItem {
  if (/^[&*!|>%@`,\]}[{#]/.test(text))
    unsupported(`${JSON.stringify(text[0])} (an anchor, alias, tag, block scalar or reserved indicator)`, line);
  if (/^[?:-](\s|$)/.test(text) || /:(\s|$)/.test(text)) unsupported('a map or nested list inside the list', line);
  if (/[\t]/.test(text)) unsupported('a tab inside an entry', line);
  if (inFlow && /[[\]{}]/.test(text)) unsupported('a bracket inside an entry of a flow list', line);
  return NON_STRING_PLAIN.test(text) ? { notAString: text } : text;
}

/** Reads a quoted scalar starting at `text[start]`; returns the value and the index after the closing quote. */
function quoted(text: string, start: number, line: Line): { value: string; end: number } {
  const q = text[start];
  if (q === "'") {
    let i = start + 1;
    let out = '';
    for (;;) {
      const j = text.indexOf("'", i);
      if (j < 0) unsupported('an unterminated or multi-line quoted entry', line);
      out += text.slice(i, j);
      if (text[j + 1] === "'") {
        out += "'";
        i = j + 2;
      } else {
        return { value: out, end: j + 1 };
      }
    }
  }
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) unsupported('an unterminated or multi-line quoted entry', line);
  const body = text.slice(start, i + 1);
  // YAML's double-quoted escapes that JSON shares read the same; the others (\x41, \e, \N, \_ ...) are refused.
  if (/[\u0000-\u001f]/.test(body)) unsupported('a control character inside a quoted entry', line);
  try {
    return { value: JSON.parse(body) as string, end: i + 1 };
  } catch {
    return unsupported('a YAML escape that JSON does not share, inside a double-quoted entry', line);
  }
}

/** True when `rest` is empty, blanks, or blanks then a `#` comment. */
const onlyComment = (rest: string): boolean => /^(?:\s*|\s+#.*)$/.test(rest);

/** One block-list entry (the text after `- `). */
function blockEntry(text: string, line: Line): YamlListItem {
  const t = text.trim();
  if (t === '' || t.startsWith('#')) return { notAString: 'null' };
  if (t[0] === '"' || t[0] === "'") {
    const start = text.indexOf(t[0]);
    const { value, end } = quoted(text, start, line);
    if (!onlyComment(text.slice(end))) unsupported('text after a quoted entry', line);
    return value;
  }
  if (t[0] === '[' || t[0] === '{') unsupported('a nested list or map inside the list', line);
  const cut = text.search(/\s#/);
  return plain((cut < 0 ? text : text.slice(0, cut)).trim(), line, false);
}

/** Line numbers of a position in the text. */
function lineOf(text: string, index: number): number {
  let n = 0;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * A flow collection (`[...]` or `{...}`) starting at `text[start]`, possibly over several lines,
 * holding scalars (and, in a map, flow lists): returns it and the index after it.
 */
function flow(
  text: string,
  start: number,
  depth: number,
): { value: YamlListItem[] | Record<string, YamlListItem | YamlListItem[]>; end: number } {
  if (depth > MAX_FLOW_DEPTH) unsupported('nesting deeper than an image list needs', lineOf(text, start));
  const isMap = text[start] === '{';
  const close = isMap ? '}' : ']';
  const items: YamlListItem[] = [];
  const map: Record<string, YamlListItem | YamlListItem[]> = Object.create(null) as Record<string, YamlListItem | YamlListItem[]>;
  let i = start + 1;
  const skip = (): void => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text[i] === '#' && /\s/.test(text[i - 1] ?? ' ')) {
        while (i < text.length && text[i] !== '\n') i++;
      } else return;
    }
  };
  const scalar = (stops: RegExp): YamlListItem => {
    const from = i;
    const line = (): number => lineOf(text, from);
    if (text[i] === '"' || text[i] === "'") {
      const { value, end } = quoted(text, i, line);
      i = end;
      return value;
    }
    while (i < text.length && !stops.test(text[i]!) && !(text[i] === '#' && /\s/.test(text[i - 1] ?? ''))) {
      if (text[i] === '\n') unsupported('an entry spread over several lines', line);
      i++;
    }
    const raw = text.slice(from, i).trim();
    if (raw === '') unsupported('an empty entry in a flow list', line);
    return plain(raw, line, true);
  };
  for (;;) {
    skip();
    if (i >= text.length) unsupported(`an unterminated ${isMap ? '{...}' : '[...]'}`, lineOf(text, start));
    if (text[i] === close) return { value: isMap ? map : items, end: i + 1 };
    if (isMap) {
      const from = i;
      const line = (): number => lineOf(text, from);
      const key = scalar(/[:,}\]\n]/);
      skip();
      if (typeof key !== 'string' || text[i] !== ':') unsupported('a map entry that is not "key: value"', line);
      i++;
      skip();
      let value: YamlListItem | YamlListItem[];
      if (text[i] === '[') {
        const inner = flow(text, i, depth + 1);
        value = inner.value as YamlListItem[];
        i = inner.end;
      } else if (text[i] === '{') {
        return unsupported('a nested map', lineOf(text, i));
      } else {
        value = scalar(/[,}\]]/);
      }
      if (Object.prototype.hasOwnProperty.call(map, key)) unsupported(`the key ${JSON.stringify(key)} given twice`, line);
      map[key] = value;
    } else {
      if (text[i] === '[' || text[i] === '{') unsupported('a nested list or map inside the list', lineOf(text, i));
      items.push(scalar(/[,\]}]/));
    }
    skip();
    if (text[i] === ',') i++;
    else if (text[i] !== close) unsupported(`${JSON.stringify(text[i] ?? 'the end')} where "," or "${close}" belongs`, lineOf(text, i));
  }
}

/** The significant lines: not blank, not a comment; with their numbers. */
function significant(lines: readonly string[]): { n: number; text: string }[] {
  return lines.map((text, n) => ({ n, text })).filter(({ text }) => !/^\s*(#.*)?$/.test(text));
}

/**
 * Reads an image list written in YAML (or JSON): a `YamlImageDocument` when the input is one, else
 * whatever value it holds (the caller checks its shape).
 * @throws UnsupportedYamlError naming the YAML feature and line this reader does not take
 * @example
 * readYamlImageList('images:\n  - nginx:1.27\n  - "redis:7"\n') // { images: ['nginx:1.27', 'redis:7'] }
 */
export function readYamlImageList(input: string): unknown {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // not JSON: the YAML below
  }
  if (/[\u2028\u2029\u0085]/.test(text))
    unsupported('a Unicode line or paragraph separator', lineOf(text, text.search(/[\u2028\u2029\u0085]/)));
  const lines = text.split('\n');
  let rows = significant(lines);
  if (rows[0] !== undefined && /^%/.test(rows[0].text)) unsupported('a YAML directive', rows[0].n);
  if (rows[0] !== undefined && /^---(\s|$)/.test(rows[0].text)) {
    if (!onlyComment(rows[0].text.slice(3))) unsupported('content on the "---" line', rows[0].n);
    rows = rows.slice(1);
  }
  for (const row of rows) if (/^(---|\.\.\.)(\s|$)/.test(row.text)) unsupported('a second document or a document end marker', row.n);
  const first = rows[0];
  if (first === undefined) return null;
  const rest = (row: { n: number }): string => lines.slice(row.n).join('\n');
  const flowDocument = (body: string, at: number, lineBase: number): YamlImageDocument => {
    const { value, end } = flow(body, at, 1);
    body
      .slice(end)
      .split('\n')
      .forEach((l, k) => {
        if (!onlyComment(l)) unsupported('text after the closing bracket', () => lineBase + lineOf(body, end) + k);
      });
    return value;
  };
  if (/^\s*[[{]/.test(first.text)) {
    const body = rest(first);
    return flowDocument(body, body.search(/\S/), first.n);
  }
  const key = /^images\s*:(.*)$/.exec(first.text);
  if (key !== null) {
    const inline = key[1]!;
    if (!onlyComment(inline)) {
      const body = rest(first);
      let at = body.indexOf(':') + 1;
      while (body[at] === ' ' || body[at] === '\t') at++;
      if (body[at] !== '[') unsupported('"images:" followed by something other than a list', first.n);
      return { images: flowDocument(body, at, first.n) as YamlListItem[] };
    }
    return { images: blockList(rows.slice(1), first.n) };
  }
  if (/^\s*-(\s|$)/.test(first.text)) return blockList(rows, first.n);
  return unsupported('a line that is neither a list entry nor "images:"', first.n);
}

/** A block list: every row `- entry` at one indentation. */
function blockList(rows: readonly { n: number; text: string }[], afterLine: number): YamlListItem[] {
  if (rows.length === 0) unsupported('"images:" with no list under it', afterLine);
  const indent = /^ */.exec(rows[0]!.text)![0].length;
  return rows.map(({ n, text }) => {
    const m = /^( *)-(?:([ \t].*)?)$/.exec(text);
    if (m === null || m[1]!.length !== indent) {
      return unsupported(
        /^\s*\t/.test(text)
          ? 'a tab in the indentation'
          : 'a line that is not an entry of the list (a multi-line entry, a nested list or another key)',
        n,
      );
    }
    return blockEntry(m[2] ?? '', n);
  });
}
