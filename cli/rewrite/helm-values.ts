/**
 * Rewrites the images of a Helm values file by what the chart renders, not by what a value looks
 * like. Each image is composed from every key that takes part in it, the way the charts' templates
 * compose it (`[registry/][hub or imageRegistry/imageNamespace/]name[:tag][@digest]`, see
 * `helm/recognize.ts` for the classes), resolved, and rewritten only when composing it again from
 * the new values gives exactly the resolver's answer. Shapes ptc cannot compose for certain are
 * reported with their YAML path (reason `unsupported`) and left alone. Tags and digests are never
 * edited. The direction is the resolver's: to the cache (`createResolver`) or back upstream
 * (`createReverser`). Details and the convention table: docs/helm-and-kustomize.md.
 */
import { parseAllDocuments, parseDocument, type Document } from 'yaml';
import { applyEdits } from './edits';
import { RewriteCollector } from './collector';
import { ManifestSyntaxError } from './manifests';
import { splitDocuments } from './segments';
import { ChunkError, nestedChunks, topLevelChunks, type Chunk, type NestedChunks } from './helm/chunks';
import { HelmPlanner } from './helm/plan';
import { recognize, type NestedParts, type ValuesParts } from './helm/recognize';
import { baseOf, type Base } from './helm/tree';
import type { ImageChange, Resolve, RewriteResult } from './types';

/** Parts that cannot hold an image (no image, repository or hub key) are never parsed. */
const MAY_HAVE_IMAGE = /image|Image|repository|hub/;

/** The YAML library's message without its own "at line L, column C" (the caller names the line once). */
function yamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function checked(doc: Document, source: string, offset: number, file: string): Document {
  const error = doc.errors[0];
  if (error !== undefined) {
    throw new ManifestSyntaxError(`${file}: YAML error at line ${lineOf(source, offset + error.pos[0])}: ${yamlMessage(error.message)}`);
  }
  return doc;
}

function chunked(chunks: readonly Chunk[], segmentOffset: number): ValuesParts {
  const parse = (c: Chunk): Base => {
    const doc = parseDocument(c.text);
    if (doc.errors.length > 0) throw new ChunkError();
    return baseOf(doc, c.text, segmentOffset + c.offset);
  };
  const context = chunks.filter((c) => c.inline || c.key === 'global').map(parse);
  function* nested(parts: NestedChunks): Generator<Base> {
    for (const part of parts.rest) if (MAY_HAVE_IMAGE.test(part.text)) yield parse(part);
  }
  function* rest(): Generator<Base | NestedParts> {
    for (const c of chunks) {
      if (c.inline || c.key === 'global' || !MAY_HAVE_IMAGE.test(c.text)) continue;
      const parts = nestedChunks(c);
      yield parts === undefined ? parse(c) : { key: c.key, context: parts.context.map(parse), rest: nested(parts) };
    }
  }
  return { context, rest: rest() };
}

/** How `rewriteHelmValues` reads the file. */
export interface HelmValuesOptions {
  /**
   * Cut each document into parts parsed one at a time (see `helm/chunks.ts`); false parses every
   * document whole, the reference the cut is tested against (same output, more memory).
   * @default true
   */
  split?: boolean;
}

/**
 * Rewrites the images of a Helm values file with `resolve`: to the cache registry with
 * `createResolver`, back to the upstream registries with `createReverser`.
 * @throws ManifestSyntaxError naming the line of the first YAML error.
 * @example
 * rewriteHelmValues(text, createResolver(ctx), 'values.yaml').text
 */
export function rewriteHelmValues(source: string, resolve: Resolve, file = '<stdin>', options: HelmValuesOptions = {}): RewriteResult {
  const collector = new RewriteCollector(resolve);
  const changes: ImageChange[] = [];
  const run = (parts: ValuesParts): void => {
    const planner = new HelmPlanner(collector, resolve);
    planner.plan(recognize(parts));
    for (const [node, { value, base }] of planner.planned.values) collector.set(node, value, base.text, base.offset);
    changes.push(...planner.planned.changes);
  };
  const whole = (text: string, offset: number): void => {
    for (const doc of parseAllDocuments(text)) {
      const base = baseOf(checked(doc, source, offset, file), text, offset);
      run({ context: [base], rest: [] });
    }
  };
  for (const segment of splitDocuments(source)) {
    const chunks = options.split === false ? undefined : topLevelChunks(segment.text);
    if (chunks === undefined || chunks.length < 2) {
      whole(segment.text, segment.offset);
      continue;
    }
    const mark = collector.findings.length;
    try {
      run(chunked(chunks, segment.offset));
    } catch (err) {
      if (!(err instanceof ChunkError)) throw err;
      collector.findings.length = mark;
      whole(segment.text, segment.offset);
    }
  }
  return { text: applyEdits(source, collector.edits), changes, findings: collector.findings };
}
