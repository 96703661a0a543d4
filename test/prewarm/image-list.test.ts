import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { parseConfig } from '../../core';
import { ImageListError, mergeImageLists, parseImageList, planTargets } from '../../core/prewarm';
import { loadManifestImages } from '../../engines/prewarm';
import { fixture } from '../validation/helpers';

const s3Mock = mockClient(S3Client);
const ssmMock = mockClient(SSMClient);
beforeEach(() => {
  s3Mock.reset();
  ssmMock.reset();
});

// What GetObject's Body offers (the SDK's stream mixin): the object's text.
const body = (text: string) => ({ transformToString: async () => text }) as never;

describe('parseImageList', () => {
  test('one reference per line, with comments and blank lines', () => {
    expect(parseImageList('# critical\nnginx:1.27   # web\n\n  ghcr.io/org/app:v1\n', 'f')).toEqual(['nginx:1.27', 'ghcr.io/org/app:v1']);
  });

  test('a YAML or JSON list, or an object with an images list', () => {
    expect(parseImageList('# list\n- nginx:1.27\n- redis:7\n', 'f')).toEqual(['nginx:1.27', 'redis:7']);
    expect(parseImageList('["nginx:1.27"]', 'f')).toEqual(['nginx:1.27']);
    expect(parseImageList('images:\n  - nginx@sha256:' + 'a'.repeat(64) + '\n', 'f')).toEqual([`nginx@sha256:${'a'.repeat(64)}`]);
  });

  test('an entry that is not a string is named with its source and index', () => {
    expect(() => parseImageList('images: [nginx, 3]', 's3://b/k')).toThrow(
      new ImageListError('s3://b/k', 'images[1] must be an image reference string, got 3'),
    );
    expect(() => parseImageList('{ other: 1 }', 'f.yaml')).toThrow(
      'prewarm image list f.yaml: a YAML/JSON image list must be a list, or an object with an "images" list',
    );
  });

  test('lists merge in order of first appearance', () => {
    expect(mergeImageLists(['a', 'b'], ['b', 'c'], ['a'])).toEqual(['a', 'b', 'c']);
  });
});

describe('loadManifestImages', () => {
  test('reads the S3 object and the SSM parameter of prewarm.manifest', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: body('nginx:1.27\nquay.io/org/tool:1\n'), ContentLength: 30 });
    ssmMock.on(GetParameterCommand).resolves(fixture('prewarm/get-parameter.string-list.json'));
    const images = await loadManifestImages(
      { s3: { bucket: 'team-lists', key: 'prewarm.txt' }, ssmParameter: '/ptc/prewarm-images' },
      { s3: new S3Client({}), ssm: new SSMClient({}) },
    );
    expect(images).toEqual(['nginx:1.27', 'quay.io/org/tool:1', 'ghcr.io/org/app:v1']);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'team-lists', Key: 'prewarm.txt' });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/ptc/prewarm-images', WithDecryption: true });
  });

  test('a String parameter is parsed like a file', async () => {
    ssmMock.on(GetParameterCommand).resolves(fixture('prewarm/get-parameter.string.json'));
    expect(await loadManifestImages({ ssmParameter: '/ptc/prewarm-images' }, { ssm: new SSMClient({}) })).toEqual([
      'nginx:1.27',
      'ghcr.io/org/app:v1',
    ]);
  });

  test('an unreadable source is an error naming it', async () => {
    s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    await expect(loadManifestImages({ s3: { bucket: 'team-lists', key: 'gone.txt' } }, { s3: new S3Client({}) })).rejects.toThrow(
      'prewarm image list s3://team-lists/gone.txt: cannot be read (NoSuchKey: The specified key does not exist.)',
    );
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: {} }));
    await expect(loadManifestImages({ ssmParameter: '/ptc/none' }, { ssm: new SSMClient({}) })).rejects.toThrow(
      'prewarm image list ssm:/ptc/none: cannot be read (ParameterNotFound)',
    );
  });

  test('no manifest configured reads nothing', async () => {
    expect(await loadManifestImages(undefined, {})).toEqual([]);
    expect(s3Mock).not.toHaveReceivedAnyCommand();
  });
});

describe('planTargets', () => {
  const config = parseConfig({
    account: '111122223333',
    region: 'eu-west-2',
    rules: [
      { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
      { prefix: 'k8s', upstream: 'k8s' },
    ],
  });
  const registryHost = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';

  test('maps each reference to its cache repository with the shared resolver', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(
      planTargets(['nginx', `registry.k8s.io/pause:3.9@${digest}`, `${registryHost}/k8s/coredns:v1`], { config, registryHost }),
    ).toEqual([
      {
        image: 'nginx',
        repository: 'docker-hub/library/nginx',
        reference: 'latest',
        uri: `${registryHost}/docker-hub/library/nginx:latest`,
        prefix: 'docker-hub',
        upstream: 'docker-hub',
      },
      // name:tag@digest is fetched by its tag (the cache fetches upstream by tag only) and checked against the digest.
      {
        image: `registry.k8s.io/pause:3.9@${digest}`,
        repository: 'k8s/pause',
        reference: '3.9',
        pinnedDigest: digest,
        uri: `${registryHost}/k8s/pause:3.9@${digest}`,
        prefix: 'k8s',
        upstream: 'k8s',
      },
      {
        image: `${registryHost}/k8s/coredns:v1`,
        repository: 'k8s/coredns',
        reference: 'v1',
        uri: `${registryHost}/k8s/coredns:v1`,
        prefix: 'k8s',
        upstream: 'k8s',
      },
    ]);
  });

  test('an invalid or uncovered reference becomes an error for that image only', () => {
    const [bad, uncovered] = planTargets(['org/UPPER', 'quay.io/org/tool:1'], { config, registryHost });
    expect(bad).toEqual({ image: 'org/UPPER', error: expect.stringMatching(/^invalid image reference "org\/UPPER"/) });
    expect(uncovered).toEqual({
      image: 'quay.io/org/tool:1',
      error: 'no pull through cache rule covers "quay.io"; add a rule for it, or list the image by its cache URI',
    });
  });
});
