/**
 * `ptc audit` reads the same documents `ptc rewrite` does: every container image rewrite finds
 * (changed or left alone) in the workloads fixture (every workload kind, a List, a custom
 * resource with a pod template) is an image use in the audit, and nothing else is.
 */
import { imageUses, parseDocuments } from '../../cli/audit/extract';
import { rewriteManifests } from '../../cli/rewrite';
import { fixture, resolve } from '../image-ref/helpers';

describe('audit and rewrite read the same documents', () => {
  test('on the workloads fixture, audit finds exactly the images rewrite finds', () => {
    const source = fixture('workloads.yaml');
    const result = rewriteManifests(source, resolve, 'workloads.yaml');
    const seenByRewrite = [...result.changes.map((c) => c.from), ...result.findings.map((f) => f.reference)].sort();
    const seenByAudit = parseDocuments(source, 'workloads.yaml')
      .flatMap(imageUses)
      .map((u) => u.image)
      .sort();
    expect(seenByAudit).toEqual(seenByRewrite);
  });

  test('a custom resource embedding a pod template is audited under its own kind', () => {
    const rollout =
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: canary, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: canary, image: "argoproj/rollouts-demo:blue"}\n';
    expect(parseDocuments(rollout, 'rollout.yaml').flatMap(imageUses)).toEqual([
      { image: 'argoproj/rollouts-demo:blue', owner: 'Rollout shop/canary', container: 'canary', containerKind: 'container' },
    ]);
  });
});
