import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createResolver } from '../../core';
import { CORPUS_CONFIG, REGISTRY } from './corpus';

/** The resolver the rewrite tests use (every upstream, cache registry REGISTRY). */
export const resolve = createResolver({ config: CORPUS_CONFIG, registryHost: REGISTRY });

/** Reads a fixture from test/fixtures/manifests. */
export function fixture(name: string): string {
  return readFileSync(path.join(__dirname, '..', 'fixtures', 'manifests', name), 'utf8');
}

/** Every leaf of every document as `path = value`, for comparing what a rewrite changed. */
export function leaves(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const visit = (value: unknown, at: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${at}[${i}]`));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, `${at}.${k}`);
    else out.set(at, value);
  };
  parseAllDocuments(text).forEach((doc, i) => visit(doc.toJS(), `doc${i}`));
  return out;
}

/** The paths whose values differ between two texts (missing on either side counts). */
export function changedPaths(before: string, after: string): string[] {
  const a = leaves(before);
  const b = leaves(after);
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** The lines of `after` that differ from the same line of `before` (texts with equal line counts). */
export function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return b.filter((line, i) => line !== a[i]);
}
