/**
 * Argo CD's `helm.values` is a YAML document inside a YAML string. Its images are found and
 * planned on the inner document; each edit is then carried back into the outer file, where the
 * string's text is the inner text shifted line by line (a literal block scalar `|`, by its
 * indentation) or as a whole (a quoted string without escapes or line breaks). A string whose
 * text is not the inner text read that way (a folded `>` block, escapes, an explicit indentation
 * indicator) is not mapped: the caller reports it.
 */
import type { Scalar } from 'yaml';
import type { SourceEdit } from '../edits';

/** How offsets of the inner document map onto the outer text. */
export interface InnerText {
  /** The inner document (the string's value). */
  readonly text: string;
  /**
   * The edit of the outer text that makes the same change, or the reason it cannot be written
   * there (the new text would need escaping or a line break).
   */
  toOuter(edit: SourceEdit): SourceEdit | string;
}

/** Strips trailing line breaks and spaces, which chomping decides and no edit touches. */
const trimEnd = (s: string): string => s.replace(/[ \n]+$/, '');

function literal(scalar: Scalar, value: string, outer: string): InnerText | string {
  const [start, end] = scalar.range!;
  const source = outer.slice(start, end);
  const headerEnd = source.indexOf('\n') + 1;
  if (headerEnd === 0) return 'an empty block scalar';
  if (/[1-9]/.test(source.slice(0, headerEnd).replace(/#.*$/, ''))) return 'a block scalar with an explicit indentation indicator';
  const lines = source.slice(headerEnd).split('\n');
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined) return 'an empty block scalar';
  const indent = /^ */.exec(first)![0].length;
  const outerStarts: number[] = [];
  const innerStarts: number[] = [];
  const contents: string[] = [];
  let outerAt = start + headerEnd;
  let innerAt = 0;
  for (const line of lines) {
    const content = line.length > indent ? line.slice(indent) : '';
    outerStarts.push(outerAt + Math.min(indent, line.length));
    innerStarts.push(innerAt);
    contents.push(content);
    outerAt += line.length + 1;
    innerAt += content.length + 1;
  }
  if (trimEnd(contents.join('\n')) !== trimEnd(value)) return 'a block scalar whose text is not its value line by line';
  const map = (pos: number): number => {
    let i = innerStarts.length - 1;
    while (i > 0 && innerStarts[i]! > pos) i--;
    return outerStarts[i]! + (pos - innerStarts[i]!);
  };
  return {
    text: value,
    toOuter: (edit) =>
      edit.text.includes('\n') ? 'the new value spans lines' : { start: map(edit.start), end: map(edit.end), text: edit.text },
  };
}

function quoted(scalar: Scalar, value: string, outer: string, forbidden: RegExp): InnerText | string {
  const [start, end] = scalar.range!;
  if (outer.slice(start + 1, end - 1) !== value) return 'a quoted string with escapes or line breaks';
  return {
    text: value,
    toOuter: (edit) =>
      forbidden.test(edit.text)
        ? 'the new value would need escaping in the quoted string'
        : { start: edit.start + start + 1, end: edit.end + start + 1, text: edit.text },
  };
}

/**
 * The inner document of a values string and how to map its edits, or why it cannot be mapped.
 * `outer` is the text the scalar's range points into.
 */
export function innerText(scalar: Scalar, outer: string): InnerText | string {
  const value = scalar.value;
  if (typeof value !== 'string' || scalar.range == null) return 'not a string';
  switch (scalar.type) {
    case 'BLOCK_LITERAL':
      return literal(scalar, value, outer);
    case 'QUOTE_DOUBLE':
      return quoted(scalar, value, outer, /["\\\n]/);
    case 'QUOTE_SINGLE':
      return quoted(scalar, value, outer, /['\n]/);
    case 'BLOCK_FOLDED':
      return 'a folded block scalar (>), whose line breaks YAML folds';
    default:
      return 'a plain multi-line string';
  }
}
