/**
 * Issue 12 item 7: an image key that is valid YAML but not spelled `image:` literally must not
 * slip past `ptc rewrite --check`. Each spelling below is read as `image` by Kubernetes' YAML
 * decoder (the spellings are invented for this test; the YAML 1.2 spec defines each form), so the
 * gate, the rewrite and the audit all have to see it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { run } from '../../cli/main';
import { imageUses, parseDocuments } from '../../cli/audit/extract';
import { rewriteManifests } from '../../cli/rewrite';
import { recordingIo } from '../cli/fake-io';
import { REGISTRY } from './corpus';
import { resolve } from './helpers';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const HEAD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n';

/** [what, the container as written (under `containers:`)] */
const SPELLINGS: [string, string][] = [
  ['explicit key "? image"', '    - name: a\n      ? image\n      : nginx:1.27\n'],
  ['double-quoted key', '    - name: a\n      "image": nginx:1.27\n'],
  ['single-quoted key', "    - name: a\n      'image': nginx:1.27\n"],
  ['\\u escape in a double-quoted key', '    - name: a\n      "im\\u0061ge": nginx:1.27\n'],
  ['\\x escape in a double-quoted key', '    - name: a\n      "\\x69mage": nginx:1.27\n'],
  ['escaped line break inside a double-quoted key', '    - name: a\n      ? "ima\\\n        ge"\n      : nginx:1.27\n'],
  ['flow mapping', '    - {name: a, "image": nginx:1.27}\n'],
  ['flow mapping with an explicit key', '    - {name: a, ? image : nginx:1.27}\n'],
  ['block scalar key', '    - name: a\n      ? |-\n        image\n      : nginx:1.27\n'],
  ['tagged key', '    - name: a\n      !!str image: nginx:1.27\n'],
  ['key from an anchor and alias', '    - name: &k image\n      *k : nginx:1.27\n'],
  ['merge key bringing in the image', '    - &base {image: nginx:1.27, name: base}\n    - <<: *base\n      name: a\n'],
];

describe('image keys spelled other than "image:"', () => {
  test.each(SPELLINGS)('%s: Kubernetes reads an image there', (_what, container) => {
    // The YAML library reads it as Kubernetes would: a container whose image is nginx:1.27.
    const value = parse(HEAD + container, { merge: true }) as { spec: { containers: { image?: string }[] } };
    expect(value.spec.containers.some((c) => c.image === 'nginx:1.27')).toBe(true);
  });

  test.each(SPELLINGS)('%s: rewrite changes it and only it', (_what, container) => {
    const result = rewriteManifests(HEAD + container, resolve, 'pod.yaml');
    expect(result.changes.length).toBeGreaterThan(0);
    expect(result.changes.every((c) => c.to === `${REGISTRY}/docker-hub/library/nginx:1.27`)).toBe(true);
    const after = parse(result.text, { merge: true }) as { spec: { containers: { image?: string }[] } };
    expect(after.spec.containers.map((c) => c.image).filter((i) => i !== undefined)).not.toContain('nginx:1.27');
  });

  test.each(SPELLINGS)('%s: rewrite --check fails the gate', async (_what, container) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-spelling-')), 'pod.yaml');
    writeFileSync(file, HEAD + container);
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', file], io)).toBe(1);
    expect(io.err).toMatch(/would change in 1 file/);
  });

  test.each(SPELLINGS)('%s: audit sees the same image', (_what, container) => {
    const uses = parseDocuments(HEAD + container, 'pod.yaml').flatMap(imageUses);
    expect(uses.map((u) => u.image)).toContain('nginx:1.27');
  });
});

describe('a merge key whose anchor lies outside every container list', () => {
  // Invented custom resource (any CRD with an embedded pod template and preserved unknown fields).
  const CR = [
    'apiVersion: example.com/v1',
    'kind: Workload',
    'metadata: {name: w, namespace: shop}',
    'spec:',
    '  defaults: &base {image: "nginx:1.27"}',
    '  template:',
    '    spec:',
    '      containers:',
    '        - <<: *base',
    '          name: a',
    '',
  ].join('\n');

  test('rewrite changes the anchored image, and --check sees it', () => {
    const result = rewriteManifests(CR, resolve, 'cr.yaml');
    expect(result.changes).toEqual([
      {
        location: 'Workload shop/w [doc 1] spec.template.spec.containers[0] (a)',
        from: 'nginx:1.27',
        to: `${REGISTRY}/docker-hub/library/nginx:1.27`,
      },
    ]);
    expect(result.text).toContain(`defaults: &base {image: "${REGISTRY}/docker-hub/library/nginx:1.27"}`);
  });

  test('audit sees it, owned by the custom resource', () => {
    expect(parseDocuments(CR, 'cr.yaml').flatMap(imageUses)).toEqual([
      { image: 'nginx:1.27', owner: 'Workload shop/w', container: 'a', containerKind: 'container' },
    ]);
  });
});
