/**
 * Cheap splitting of a YAML stream into documents, so documents that cannot hold an image field
 * are never parsed. A line starting with `---` is always a document marker in YAML (no scalar
 * may contain one at column 0), so splitting there is exact; a stream with directives (`%YAML`)
 * is kept whole.
 */

/** A slice of the stream: one document (or the whole stream) and where it starts. */
export interface Segment {
  /** Offset of the segment in the stream. */
  offset: number;
  text: string;
}

const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;
const DIRECTIVE = /^%/m;

/** Splits a YAML stream at its document markers (the whole stream when it has directives). */
export function splitDocuments(source: string): Segment[] {
  if (DIRECTIVE.test(source)) return [{ offset: 0, text: source }];
  const segments: Segment[] = [];
  let start = 0;
  DOCUMENT_START.lastIndex = 0;
  for (let m = DOCUMENT_START.exec(source); m !== null; m = DOCUMENT_START.exec(source)) {
    if (m.index > start) segments.push({ offset: start, text: source.slice(start, m.index) });
    start = m.index;
  }
  segments.push({ offset: start, text: source.slice(start) });
  return segments;
}
