/**
 * Kustomize's `images:` transformer never reaches the chart values of a HelmRelease or an
 * Application, so in a kustomize tree ptc edits those values in the files the kustomizations
 * own, while the files' pod specs stay with the kustomizations' `images:` entries.
 */
import * as path from 'node:path';
import { InputReadError, MAX_INPUT_BYTES, readInputFile, type InputFile } from '../../io';
import { decodeText, InputEncodingError } from '../decode';
import { ManifestSyntaxError, rewriteManifests } from '../manifests';
import type { Resolve, RewriteResult } from '../types';
import { MAY_BE_GITOPS } from './index';

/** A file a kustomization owns whose chart values ptc rewrote (or reported). */
export interface OwnedValues {
  file: string;
  read: InputFile;
  result: RewriteResult;
}

/** The chart values of one owned file: its pod specs are the kustomization's. */
export function chartValues(text: string, resolve: Resolve, file: string): RewriteResult {
  return rewriteManifests(text, resolve, file, { podSpecs: false });
}

/**
 * An owned manifest given on the command line: its chart values rewritten, and the
 * kustomization's "left unchanged" finding kept only when nothing in it was rewritten.
 */
export function withChartValues(owned: RewriteResult, text: string, resolve: Resolve, file: string): RewriteResult {
  const values = parsed(() => chartValues(text, resolve, file));
  if (values === undefined) return owned;
  return {
    text: values.text,
    changes: values.changes,
    findings: [...(values.changes.length > 0 ? [] : owned.findings), ...values.findings],
  };
}

/** The result, or undefined for a YAML error: the kustomization that owns the file reports that one. */
function parsed(rewrite: () => RewriteResult): RewriteResult | undefined {
  try {
    return rewrite();
  } catch (err) {
    if (err instanceof ManifestSyntaxError) return undefined;
    throw err;
  }
}

function readOwned(at: string, cwd: string): InputFile | undefined {
  try {
    const read = readInputFile(at, { cwd, limit: MAX_INPUT_BYTES });
    return { ...read, text: decodeText(read.bytes, at) };
  } catch (err) {
    // The kustomization's own outcome already reports a file it cannot read.
    if (err instanceof InputReadError || err instanceof InputEncodingError) return undefined;
    throw err;
  }
}

/**
 * The owned files (absolute paths) not given on the command line (`listed`) whose chart values
 * ptc rewrites or reports; paths in the result are relative to `cwd`. A file that cannot be read
 * or parsed is skipped: its kustomization reports it.
 */
export function ownedChartValues(owned: Iterable<string>, listed: ReadonlySet<string>, cwd: string, resolve: Resolve): OwnedValues[] {
  const out: OwnedValues[] = [];
  for (const at of owned) {
    if (listed.has(at)) continue;
    const read = readOwned(at, cwd);
    if (read === undefined || !MAY_BE_GITOPS.test(read.text)) continue;
    const file = path.relative(cwd, at);
    const result = parsed(() => chartValues(read.text, resolve, file));
    if (result !== undefined && (result.changes.length > 0 || result.findings.length > 0)) out.push({ file, read, result });
  }
  return out;
}
