/**
 * `--digest-pinned` on `ptc rewrite`, `ptc audit` and `ptc kyverno`: ECR's pull-through cache
 * cannot fetch a digest it has not cached (aws/containers-roadmap#2837), so by default a
 * digest-pinned image stays upstream and is reported; `prewarmed` sends the digests prewarm seeds
 * by tag; `cache` sends them all and reports those not known to be cached.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const R = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
const D1 = `sha256:${'1a'.repeat(32)}`;
const D2 = `sha256:${'2b'.repeat(32)}`;
const POD = `kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: a, image: "nginx:1.27@${D1}"}\n    - {name: b, image: "registry.k8s.io/pause@${D2}"}\n    - {name: c, image: "nginx:1.27"}\n`;

function configWithPrewarm(images: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptc-pinned-')), 'ptc.yaml');
  const text = readFileSync(EXAMPLE, 'utf8');
  // The example config with its prewarm block replaced by one listing `images`.
  writeFileSync(file, text.replace(/\nprewarm:\n(?:[ ].*\n)*/, `\nprewarm:\n  images: ${JSON.stringify(images)}\n`));
  return file;
}

async function rewrite(args: string[], stdin = POD): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo({ stdin });
  const code = await run(['rewrite', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('ptc rewrite --digest-pinned', () => {
  test('by default leaves every digest-pinned image upstream, says why and what to do, and --check passes on them', async () => {
    const r = await rewrite(['-c', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(POD.replace('image: "nginx:1.27"', `image: "${R}/docker-hub/library/nginx:1.27"`));
    expect(r.err).toContain(
      `nginx:1.27@${D1} digest-pinned, left upstream: the pull-through cache cannot fetch a digest it has not cached (aws/containers-roadmap#2837); list nginx:1.27@${D1} in prewarm.images`,
    );
    expect(r.err).toContain(
      `registry.k8s.io/pause@${D2} digest-pinned, left upstream: the pull-through cache cannot fetch a digest it has not cached (aws/containers-roadmap#2837); pin a tag beside the digest`,
    );
    expect(r.err).toMatch(/rewrote 1 image in 1 file; 2 digest-pinned left upstream\n$/);
    const onlyPinned = POD.replace('    - {name: c, image: "nginx:1.27"}\n', '');
    expect((await rewrite(['-c', EXAMPLE, '--check'], onlyPinned)).code).toBe(0);
  });

  test('cache rewrites them all and reports each one not known to be cached', async () => {
    const r = await rewrite(['-c', EXAMPLE, '--digest-pinned', 'cache']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`image: "${R}/docker-hub/library/nginx:1.27@${D1}"`);
    expect(r.out).toContain(`image: "${R}/k8s/pause@${D2}"`);
    expect(r.err).toContain(`nginx:1.27@${D1} rewritten, but digest-pinned and not known to be cached`);
    expect(r.err).toMatch(/rewrote 3 images in 1 file; 2 digest-pinned not known to be cached\n$/);
  });

  test('prewarmed rewrites the digests prewarm.images seeds by tag and leaves the others upstream', async () => {
    const config = configWithPrewarm([`docker.io/library/nginx:1.27@${D1}`]);
    const r = await rewrite(['-c', config, '--digest-pinned', 'prewarmed']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`image: "${R}/docker-hub/library/nginx:1.27@${D1}"`);
    expect(r.out).toContain(`image: "registry.k8s.io/pause@${D2}"`);
    expect(r.err).not.toContain('not known to be cached');
    expect(r.err).toMatch(/rewrote 2 images in 1 file; 1 digest-pinned left upstream\n$/);
  });

  test('--reverse brings digest-pinned cache URIs back whatever the policy', async () => {
    const cached = `kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: a, image: "${R}/docker-hub/library/nginx:1.27@${D1}"}\n`;
    const r = await rewrite(['-c', EXAMPLE, '--reverse'], cached);
    expect(r.out).toContain(`image: "nginx:1.27@${D1}"`);
  });

  test('an unknown mode is refused by all three commands with the choices', async () => {
    for (const command of [['rewrite'], ['audit'], ['kyverno']]) {
      const io = recordingIo({ stdin: POD });
      expect(await run([...command, '-c', EXAMPLE, '--digest-pinned', 'always'], io)).toBe(1);
      expect(io.err).toContain(
        "error: option '--digest-pinned <mode>' argument 'always' is invalid. Allowed choices are upstream, prewarmed, cache.",
      );
    }
  });

  test('ptc kyverno --digest-pinned cache writes digest patterns the default policy does not', async () => {
    const byDefault = recordingIo();
    const all = recordingIo();
    expect(await run(['kyverno', '-c', EXAMPLE], byDefault)).toBe(0);
    expect(await run(['kyverno', '-c', EXAMPLE, '--digest-pinned', 'cache'], all)).toBe(0);
    expect(byDefault.out).toContain('tag (digest-pinned images stay upstream)');
    expect(byDefault.out).not.toContain('sha256:');
    expect(all.out).toContain('sha256:');
  });
});
