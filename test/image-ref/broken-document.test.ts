/**
 * A file with one unparsable YAML document is said, with its file and line, even when that
 * document holds no image; `--in-place` then writes nothing (issue 21).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { ManifestSyntaxError, rewriteManifests } from '../../cli/rewrite';
import { createResolver, parseConfig } from '../../core';
import { recordingIo } from '../cli/fake-io';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const resolve = createResolver({
  config: parseConfig({
    account: '111122223333',
    region: 'eu-west-2',
    rules: [{ prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } }],
  }),
  registryHost: R,
});

/** A Deployment with an image, then a ConfigMap (no image) whose quote is never closed on line 17. */
const BROKEN = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: web',
  '          image: nginx:1.27',
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: settings',
  'data:',
  '  greeting: "hello',
  '',
].join('\n');

describe('a broken document is always said', () => {
  test('a ConfigMap with an unterminated quote, holding no image, is a YAML error naming the file and its line', () => {
    expect(() => rewriteManifests(BROKEN, resolve, 'app.yaml')).toThrow(ManifestSyntaxError);
    expect(() => rewriteManifests(BROKEN, resolve, 'app.yaml')).toThrow(/^app\.yaml: YAML error at line 17: Missing closing "quote$/);
  });

  test('the error in a later document is said at its line in the file, not in the document', () => {
    const text = `kind: ConfigMap\ndata: {a: b}\n---\nkind: ConfigMap\ndata:\n  x: [1, 2\n  y: 3\n`;
    expect(() => rewriteManifests(text, resolve, 'cm.yaml')).toThrow(/^cm\.yaml: YAML error at line [67]: /);
  });

  test('rewrite --in-place exits 1 with one line and leaves the file byte for byte; --check exits 1 too', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-broken-')), 'app.yaml');
    writeFileSync(file, BROKEN);
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', file], io)).toBe(1);
    expect(io.err).toBe(`${file}: YAML error at line 17: Missing closing "quote\n`);
    expect(readFileSync(file, 'utf8')).toBe(BROKEN);
    const check = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--check', file], check)).toBe(1);
    expect(check.err).toBe(`${file}: YAML error at line 17: Missing closing "quote\n`);
  });

  test('the same file with the quote closed is rewritten (the refusal above was the broken document)', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-broken-')), 'app.yaml');
    writeFileSync(file, BROKEN.replace('"hello', '"hello"'));
    const io = recordingIo();
    expect(await run(['rewrite', '-c', EXAMPLE, '--in-place', file], io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(
      BROKEN.replace('"hello', '"hello"').replace('image: nginx:1.27', `image: ${R}/docker-hub/library/nginx:1.27`),
    );
  });
});
