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
import { parseAllDocuments } from 'yaml';
import { applyEdits } from './edits';
import { RewriteCollector } from './collector';
import { ManifestSyntaxError } from './manifests';
import { HelmPlanner } from './helm/plan';
import { recognize } from './helm/recognize';
import type { ImageChange, Resolve, RewriteResult } from './types';

/** The YAML library's message without its own "at line L, column C" (the caller names the line once). */
function yamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Rewrites the images of a Helm values file with `resolve`: to the cache registry with
 * `createResolver`, back to the upstream registries with `createReverser`.
 * @throws ManifestSyntaxError naming the line of the first YAML error.
 * @example
 * rewriteHelmValues(text, createResolver(ctx), 'values.yaml').text
 */
export function rewriteHelmValues(source: string, resolve: Resolve, file = '<stdin>'): RewriteResult {
  const collector = new RewriteCollector(resolve);
  const changes: ImageChange[] = [];
  for (const doc of parseAllDocuments(source)) {
    const error = doc.errors[0];
    if (error !== undefined) {
      throw new ManifestSyntaxError(`${file}: YAML error at line ${lineOf(source, error.pos[0])}: ${yamlMessage(error.message)}`);
    }
    const planner = new HelmPlanner(collector, resolve);
    planner.plan(recognize(doc));
    for (const [node, value] of planner.planned.values) collector.set(node, value, source, 0);
    changes.push(...planner.planned.changes);
  }
  return { text: applyEdits(source, collector.edits), changes, findings: collector.findings };
}
