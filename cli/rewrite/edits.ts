/**
 * Source edits: a rewrite changes the text of a few scalars and leaves every other byte of the
 * file alone, so comments, key order, quoting and indentation survive exactly.
 */
import { Scalar, parse } from 'yaml';

/** Replace the source text in `[start, end)` with `text`. */
export interface SourceEdit {
  start: number;
  end: number;
  text: string;
}

const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_./:@-]*$/;
const plainCache = new Map<string, boolean>();

function plainKeepsString(value: string): boolean {
  let ok = plainCache.get(value);
  if (ok === undefined) {
    // A plain scalar must read back as the same string (not a number, boolean or null).
    ok = PLAIN_SAFE.test(value) && !/: |:$/.test(value) && parse(value) === value;
    if (plainCache.size > 10_000) plainCache.clear();
    plainCache.set(value, ok);
  }
  return ok;
}

/**
 * The edit that gives a parsed scalar a new string value in the same quoting style: double
 * quotes stay double, single stay single, plain stays plain when YAML would read it back as the
 * same string. Block scalars keep their header and indentation.
 */
export function scalarEdit(node: Scalar, value: string, source: string): SourceEdit {
  const [start, end] = node.range!;
  switch (node.type) {
    case 'QUOTE_DOUBLE':
      return { start, end, text: JSON.stringify(value) };
    case 'QUOTE_SINGLE':
      return { start, end, text: `'${value.replace(/'/g, "''")}'` };
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      // Keep the header (`>-`) and the indentation; a reference is one line.
      const original = source.slice(start, end);
      const header = original.indexOf('\n') + 1;
      const indent = /^[ \t]*/.exec(original.slice(header))![0];
      return { start, end, text: `${original.slice(0, header)}${indent}${value}${original.endsWith('\n') ? '\n' : ''}` };
    }
    default: {
      const text = plainKeepsString(value) ? value : JSON.stringify(value);
      // An empty plain value (`key:`) has no space after the colon yet.
      return { start, end, text: start === end && source[start - 1] === ':' ? ` ${text}` : text };
    }
  }
}

/** Applies edits (non-overlapping, any order) to a text. */
export function applyEdits(source: string, edits: readonly SourceEdit[]): string {
  if (edits.length === 0) return source;
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const edit of sorted) {
    if (edit.start < at) continue; // the same node reached twice (an alias): edit once
    parts.push(source.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}
