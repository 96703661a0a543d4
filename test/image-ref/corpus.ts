/**
 * The reference corpus: one table of inputs and what the resolver must make of them, shared by
 * the resolver test and the Kyverno policy test (which must agree with it case by case).
 */
import { parseConfig, type PtcConfig } from '../../core';

/** The cache registry every case resolves into. */
export const REGISTRY = '111122223333.dkr.ecr.eu-west-2.amazonaws.com';
/** The upstream ECR registry of the two `ecr` rules. */
export const UPSTREAM_ECR = '444455556666.dkr.ecr.us-east-1.amazonaws.com';

/** A config with a rule for every upstream, incl. an ECR upstream with and without an upstream prefix. */
export const CORPUS_CONFIG: PtcConfig = parseConfig({
  account: '111122223333',
  region: 'eu-west-2',
  rules: [
    { prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } },
    { prefix: 'ecr-public', upstream: 'ecr-public' },
    { prefix: 'k8s', upstream: 'k8s' },
    { prefix: 'quay', upstream: 'quay' },
    { prefix: 'github', upstream: 'github-container-registry', credentials: { secretName: 'ecr-pullthroughcache/github' } },
    {
      prefix: 'azure',
      upstream: 'azure-container-registry',
      registryUrl: 'myregistry.azurecr.io',
      credentials: { secretName: 'ecr-pullthroughcache/azure' },
    },
    { prefix: 'gitlab', upstream: 'gitlab-container-registry', credentials: { secretName: 'ecr-pullthroughcache/gitlab' } },
    { prefix: 'chainguard', upstream: 'chainguard', credentials: { secretName: 'ecr-pullthroughcache/chainguard' } },
    {
      prefix: 'shared',
      upstream: 'ecr',
      upstreamAccount: '444455556666',
      upstreamRegion: 'us-east-1',
      customRoleArn: 'arn:aws:iam::111122223333:role/ptc-upstream-reader',
      upstreamRepositoryPrefix: 'platform',
    },
    {
      prefix: 'east',
      upstream: 'ecr',
      upstreamAccount: '444455556666',
      upstreamRegion: 'us-east-1',
      customRoleArn: 'arn:aws:iam::111122223333:role/ptc-upstream-reader',
    },
  ],
});

const D = `sha256:${'0123456789abcdef'.repeat(4)}`;
const D512 = `sha512:${'fedcba9876543210'.repeat(8)}`;
const R = REGISTRY;

/** One case: the input, and the resolver's verdict. */
export type CorpusCase =
  | readonly [ref: string, status: 'resolved', output: string]
  | readonly [ref: string, status: 'cached' | 'uncovered']
  | readonly [ref: string, status: 'invalid', reason: RegExp];

/** The table. `invalid` cases give a pattern for the reason after `invalid image reference "<ref>": `. */
export const CORPUS: readonly CorpusCase[] = [
  // Docker Hub: implicit host, library/, aliases, :latest
  ['nginx', 'resolved', `${R}/docker-hub/library/nginx:latest`],
  ['nginx:1.27', 'resolved', `${R}/docker-hub/library/nginx:1.27`],
  ['nginx:1.27-alpine', 'resolved', `${R}/docker-hub/library/nginx:1.27-alpine`],
  ['library/nginx:1.27', 'resolved', `${R}/docker-hub/library/nginx:1.27`],
  ['docker.io/nginx:1.27', 'resolved', `${R}/docker-hub/library/nginx:1.27`],
  ['docker.io/library/nginx:1.27', 'resolved', `${R}/docker-hub/library/nginx:1.27`],
  ['index.docker.io/nginx', 'resolved', `${R}/docker-hub/library/nginx:latest`],
  ['index.docker.io/library/redis:7.2', 'resolved', `${R}/docker-hub/library/redis:7.2`],
  ['registry-1.docker.io/library/busybox:1.36', 'resolved', `${R}/docker-hub/library/busybox:1.36`],
  ['registry-1.docker.io/busybox', 'resolved', `${R}/docker-hub/library/busybox:latest`],
  ['bitnami/redis:7.2.4', 'resolved', `${R}/docker-hub/bitnami/redis:7.2.4`],
  ['bitnami/redis', 'resolved', `${R}/docker-hub/bitnami/redis:latest`],
  ['docker.io/bitnami/postgresql:16', 'resolved', `${R}/docker-hub/bitnami/postgresql:16`],
  ['grafana/grafana:10.4.2', 'resolved', `${R}/docker-hub/grafana/grafana:10.4.2`],
  ['my-org/my_app:v1', 'resolved', `${R}/docker-hub/my-org/my_app:v1`],
  ['org/team/app:1', 'resolved', `${R}/docker-hub/org/team/app:1`],
  ['a/b/c/d/e:1', 'resolved', `${R}/docker-hub/a/b/c/d/e:1`],
  ['node.js:20', 'resolved', `${R}/docker-hub/library/node.js:20`],
  ['my--app', 'resolved', `${R}/docker-hub/library/my--app:latest`],
  ['my__app:1', 'resolved', `${R}/docker-hub/library/my__app:1`],
  ['0/1:2', 'resolved', `${R}/docker-hub/0/1:2`],
  ['localhost', 'resolved', `${R}/docker-hub/library/localhost:latest`],
  ['localhost:5000', 'resolved', `${R}/docker-hub/library/localhost:5000`],
  ['nginx:_x', 'resolved', `${R}/docker-hub/library/nginx:_x`],
  ['nginx:UPPER.case-Tag_1', 'resolved', `${R}/docker-hub/library/nginx:UPPER.case-Tag_1`],
  [`nginx:${'t'.repeat(128)}`, 'resolved', `${R}/docker-hub/library/nginx:${'t'.repeat(128)}`],
  // digests, tag + digest
  [`nginx@${D}`, 'resolved', `${R}/docker-hub/library/nginx@${D}`],
  [`nginx:1.27@${D}`, 'resolved', `${R}/docker-hub/library/nginx:1.27@${D}`],
  [`docker.io/library/nginx@${D}`, 'resolved', `${R}/docker-hub/library/nginx@${D}`],
  [`bitnami/redis@${D512}`, 'resolved', `${R}/docker-hub/bitnami/redis@${D512}`],
  [`index.docker.io/bitnami/redis:7@${D}`, 'resolved', `${R}/docker-hub/bitnami/redis:7@${D}`],
  // ECR Public
  ['public.ecr.aws/nginx/nginx:1.27', 'resolved', `${R}/ecr-public/nginx/nginx:1.27`],
  ['public.ecr.aws/docker/library/alpine:3.20', 'resolved', `${R}/ecr-public/docker/library/alpine:3.20`],
  ['public.ecr.aws/eks-distro/kubernetes/pause', 'resolved', `${R}/ecr-public/eks-distro/kubernetes/pause:latest`],
  ['public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0', 'resolved', `${R}/ecr-public/aws-observability/aws-for-fluent-bit:2.32.0`],
  [`public.ecr.aws/lambda/python:3.12@${D}`, 'resolved', `${R}/ecr-public/lambda/python:3.12@${D}`],
  ['public.ecr.aws/single', 'resolved', `${R}/ecr-public/single:latest`],
  // Kubernetes registry
  ['registry.k8s.io/pause:3.9', 'resolved', `${R}/k8s/pause:3.9`],
  ['registry.k8s.io/ingress-nginx/controller:v1.10.1', 'resolved', `${R}/k8s/ingress-nginx/controller:v1.10.1`],
  [`registry.k8s.io/ingress-nginx/controller:v1.10.1@${D}`, 'resolved', `${R}/k8s/ingress-nginx/controller:v1.10.1@${D}`],
  ['registry.k8s.io/coredns/coredns:v1.11.1', 'resolved', `${R}/k8s/coredns/coredns:v1.11.1`],
  ['registry.k8s.io/kube-proxy', 'resolved', `${R}/k8s/kube-proxy:latest`],
  // Quay
  ['quay.io/jetstack/cert-manager-controller:v1.14.5', 'resolved', `${R}/quay/jetstack/cert-manager-controller:v1.14.5`],
  ['quay.io/prometheus/node-exporter', 'resolved', `${R}/quay/prometheus/node-exporter:latest`],
  [`quay.io/cilium/cilium@${D}`, 'resolved', `${R}/quay/cilium/cilium@${D}`],
  // GitHub
  [`ghcr.io/org/app@${D}`, 'resolved', `${R}/github/org/app@${D}`],
  ['ghcr.io/external-secrets/external-secrets:v0.9.11', 'resolved', `${R}/github/external-secrets/external-secrets:v0.9.11`],
  ['ghcr.io/fluxcd/source-controller:v1.3.0', 'resolved', `${R}/github/fluxcd/source-controller:v1.3.0`],
  ['ghcr.io/a/b/c', 'resolved', `${R}/github/a/b/c:latest`],
  // Azure (the rule's registryUrl host)
  ['myregistry.azurecr.io/team/api:2.0', 'resolved', `${R}/azure/team/api:2.0`],
  ['myregistry.azurecr.io/api', 'resolved', `${R}/azure/api:latest`],
  [`myregistry.azurecr.io/api@${D}`, 'resolved', `${R}/azure/api@${D}`],
  // GitLab, Chainguard
  ['registry.gitlab.com/group/project/image:1.0', 'resolved', `${R}/gitlab/group/project/image:1.0`],
  ['registry.gitlab.com/group/project', 'resolved', `${R}/gitlab/group/project:latest`],
  ['cgr.dev/chainguard/nginx:latest', 'resolved', `${R}/chainguard/chainguard/nginx:latest`],
  [`cgr.dev/chainguard/static@${D}`, 'resolved', `${R}/chainguard/chainguard/static@${D}`],
  // ECR upstream: upstream prefix "platform" maps to "shared"; everything else to "east"
  [`${UPSTREAM_ECR}/platform/api:1.0`, 'resolved', `${R}/shared/api:1.0`],
  [`${UPSTREAM_ECR}/platform/team/worker@${D}`, 'resolved', `${R}/shared/team/worker@${D}`],
  [`${UPSTREAM_ECR}/platform/web`, 'resolved', `${R}/shared/web:latest`],
  [`${UPSTREAM_ECR}/other/api:1.0`, 'resolved', `${R}/east/other/api:1.0`],
  [`${UPSTREAM_ECR}/platform`, 'resolved', `${R}/east/platform:latest`],
  [`${UPSTREAM_ECR}/platformx/api:1`, 'resolved', `${R}/east/platformx/api:1`],
  // already in the cache: unchanged
  [`${R}/docker-hub/library/nginx:1.27`, 'cached'],
  [`${R}/docker-hub/library/nginx`, 'cached'],
  [`${R}/github/org/app@${D}`, 'cached'],
  [`${R}/k8s/pause:3.9`, 'cached'],
  [`${R}/shared/api:1.0`, 'cached'],
  [`${R}/ecr-public/nginx/nginx:1.27@${D}`, 'cached'],
  // uncovered: passed through unchanged
  ['localhost:5000/x', 'uncovered'],
  ['localhost/x:1', 'uncovered'],
  ['127.0.0.1:5001/team/app:1', 'uncovered'],
  ['[::1]:5000/app:1', 'uncovered'],
  ['registry.example.com/team/app:1.2.3', 'uncovered'],
  ['registry.example.com:8443/app', 'uncovered'],
  ['gcr.io/distroless/static:nonroot', 'uncovered'],
  ['k8s.gcr.io/pause:3.2', 'uncovered'],
  ['mcr.microsoft.com/dotnet/runtime:8.0', 'uncovered'],
  ['otherregistry.azurecr.io/api:1', 'uncovered'],
  ['docker.io.example.com/nginx', 'uncovered'],
  ['Docker.io/library/nginx', 'uncovered'],
  // Docker reads an upper-case first component as a host (distribution/reference splitDockerDomain)
  ['MyOrg/app:1', 'uncovered'],
  ['Registry/team/app', 'uncovered'],
  ['GHCR/org/app:1', 'uncovered'],
  ['999999999999.dkr.ecr.us-east-1.amazonaws.com/app:1', 'uncovered'],
  [`${R}/unmanaged/app:1`, 'uncovered'],
  [`${R}/docker-hubx/app:1`, 'uncovered'],
  // invalid
  ['', 'invalid', /empty reference/],
  ['Nginx', 'invalid', /lower case/],
  ['nginx/App:1', 'invalid', /lower case \("App"\)/],
  ['MyRegistry/App:1', 'invalid', /lower case \("App"\)/],
  ['ghcr.io/Org/app:1', 'invalid', /lower case \("Org"\)/],
  ['nginx:', 'invalid', /empty tag/],
  [`nginx:1@${D}`.replace('nginx:1', 'nginx:'), 'invalid', /empty tag/],
  ['nginx@sha256:abc', 'invalid', /digest "sha256:abc" must be "sha256:" followed by 64/],
  [`nginx@sha256:${'A'.repeat(64)}`, 'invalid', /lower-case hex/],
  [`nginx@md5:${'a'.repeat(32)}`, 'invalid', /must be "sha256:"/],
  ['nginx@', 'invalid', /empty digest/],
  [`nginx:${'t'.repeat(129)}`, 'invalid', /tag is 129 characters long; at most 128/],
  ['nginx:-bad', 'invalid', /tag "-bad"/],
  ['nginx:.bad', 'invalid', /tag ".bad"/],
  ['nginx:a+b', 'invalid', /tag "a\+b"/],
  ['a//b', 'invalid', /empty path component \("\/\/"\)/],
  ['ghcr.io//app', 'invalid', /empty path component \("\/\/"\) after the host "ghcr\.io"/],
  ['/nginx', 'invalid', /leading "\/"/],
  ['nginx/', 'invalid', /trailing "\/"/],
  ['ghcr.io/', 'invalid', /empty repository path/],
  ['-nginx', 'invalid', /starts or ends with a separator/],
  ['nginx-', 'invalid', /starts or ends with a separator/],
  ['org/_app', 'invalid', /"_app" starts or ends with a separator/],
  ['org/app.', 'invalid', /starts or ends with a separator/],
  ['my___app', 'invalid', /separator that is not/],
  ['my..app', 'invalid', /separator that is not/],
  ['my app', 'invalid', /white space/],
  ['ghcr.io/org/app$', 'invalid', /may hold only/],
  ['registry.example.com:port/app', 'invalid', /not a valid registry host/],
  ['-bad.example.com/app', 'invalid', /not a valid registry host/],
  [`:1.0`, 'invalid', /empty repository name/],
  [`@${D}`, 'invalid', /empty repository name/],
  ['nginx:1:2', 'invalid', /path component "nginx:1" may hold only/],
];
