/**
 * How each corpus chart renders its images from its values, transcribed from the chart's own
 * templates (the file and line are given with each; the fixture folder holds verbatim copies of
 * those templates). This is the truth the rewrite is measured against, written without ptc:
 * it reads plain values the way the template does and returns the image string Helm would print.
 */
import { at, dflt, merge, mergeOverwrite, str, truthy, type Values } from './template';

/** What ptc must do with an image of the fixture's values. */
export type Verdict =
  /** Rewritten: the chart renders the resolver's output from the rewritten values. */
  | 'rewritten'
  /** Left alone and reported as uncovered (no rule for its registry). */
  | 'uncovered'
  /** Left alone and reported as a shape ptc cannot prove. */
  | 'reported';

/** One image a chart renders. */
export interface RenderedImage {
  /** The values path the image is configured under (what ptc reports it as). */
  path: string;
  /** Template file (relative to the chart) and line. */
  template: string;
  /** The template expression, verbatim or abridged with `…`. */
  expression: string;
  render: (v: Values, appVersion: string) => string;
  verdict: Verdict;
  /**
   * A rewritten image that is also reported: its own keys are empty, so ptc says it cannot prove
   * it, while the value it inherits (argo-cd's `global.image`) was rewritten.
   */
  reported?: boolean;
}

/** One corpus chart. */
export interface ChartCase {
  /** Folder under test/fixtures/charts. */
  chart: string;
  /** The values file inside the folder. */
  values: string;
  /** The chart's appVersion (Chart.yaml, or where the release tool sets it). */
  appVersion: string;
  /** Values laid over the fixture's (a derived input, said so), or none. */
  overlay?: string;
  images: RenderedImage[];
}

const s = (v: Values, p: string): string => str(at(v, p));

/** cert-manager (HEAD) `cert-manager.image`: templates/_helpers.tpl lines 182-242. */
function certManagerImage(img: Values, imageRegistry: unknown, imageNamespace: unknown, defaultReference: string): string {
  let repository: string;
  if (truthy(img.repository)) {
    repository = str(img.repository);
    if (truthy(img.registry)) repository = `${str(img.registry)}/${repository}`;
  } else {
    repository = str(img.name);
    if (truthy(imageNamespace)) repository = `${str(imageNamespace)}/${repository}`;
    if (truthy(imageRegistry)) repository = `${str(imageRegistry)}/${repository}`;
    if (truthy(img.registry)) repository = `${str(img.registry)}/${repository}`;
  }
  if (truthy(img.tag) && truthy(img.digest)) return `${repository}:${str(img.tag)}@${str(img.digest)}`;
  if (truthy(img.tag)) return `${repository}:${str(img.tag)}`;
  if (truthy(img.digest)) return `${repository}@${str(img.digest)}`;
  return repository + defaultReference;
}

/** cert-manager v1.15 `image`: templates/_helpers.tpl lines 182-188. */
function certManager115Image(img: Values, defaultTag: string): string {
  const name = truthy(img.registry) ? `${str(img.registry)}/${str(img.repository)}` : str(img.repository);
  return truthy(img.digest) ? `${name}@${str(img.digest)}` : `${name}:${str(dflt(defaultTag, img.tag))}`;
}

/** ingress-nginx: `with (merge .Values.X.image .Values.global.image)` then the image line. */
function ingressNginxImage(v: Values, path: string): string {
  const m = merge(at(v, path), at(v, 'global.image'));
  const chroot = truthy(m.chroot);
  const name = truthy(m.repository) ? str(m.repository) : `${str(m.registry)}/${str(m.image)}${chroot ? '-chroot' : ''}`;
  const digest = chroot ? m.digestChroot : m.digest;
  return `${name}:${str(m.tag)}${truthy(digest) ? `@${str(digest)}` : ''}`;
}

/** Bitnami `common.images.image` (common/templates/_images.tpl lines 12-32), called without `chart`. */
function bitnamiImage(v: Values, path: string): string {
  const root = (at(v, path) ?? {}) as Values;
  const registry = dflt(root.registry, at(v, 'global.imageRegistry'));
  let separator = ':';
  let termination = str(root.tag);
  if (truthy(root.digest)) {
    separator = '@';
    termination = str(root.digest);
  }
  return truthy(registry)
    ? `${str(registry)}/${str(root.repository)}${separator}${termination}`
    : `${str(root.repository)}${separator}${termination}`;
}

/** Grafana and kube-prometheus-stack: `$registry := .Values.global.imageRegistry | default X.registry`, then `registry/repository:tag[@sha256:sha]`. */
function registryShaImage(v: Values, path: string, defaultTag?: string): string {
  const registry = dflt(at(v, `${path}.registry`), at(v, 'global.imageRegistry'));
  const tag = defaultTag === undefined ? s(v, `${path}.tag`) : str(dflt(defaultTag, at(v, `${path}.tag`)));
  const sha = at(v, `${path}.sha`);
  return `${str(registry)}/${s(v, `${path}.repository`)}:${tag}${truthy(sha) ? `@sha256:${str(sha)}` : ''}`;
}

/** Loki `loki.baseImage`: templates/_helpers.tpl lines 173-187. */
function lokiBaseImage(v: Values, service: Values, defaultVersion: unknown): string {
  const g = (at(v, 'global') ?? {}) as Values;
  const registry = dflt(dflt(dflt(dflt('', service.registry), g.registry), at(g, 'image.registry')), g.imageRegistry);
  const repository = str(dflt('', service.repository));
  const sha = truthy(service.sha) ? `@sha256:${str(service.sha)}` : '';
  const digest = truthy(service.digest) ? `@${str(service.digest)}` : sha;
  const ref = digest === '' ? `:${str(dflt(defaultVersion, service.tag))}` : digest;
  const first = repository.split('/')[0]!;
  const prefix = truthy(registry) && !first.includes('.') ? `${str(registry)}/` : '';
  return `${prefix}${repository}${ref}`;
}

/** Kyverno `kyverno.image`: templates/_helpers/_image.tpl lines 3-19. */
function kyvernoImage(v: Values, path: string, globalRegistry: unknown, defaultTag: string): string {
  const img = (at(v, path) ?? {}) as Values;
  const tag = str(dflt(defaultTag, img.tag));
  const registry = dflt(dflt(img.defaultRegistry, globalRegistry), img.registry);
  return truthy(registry) ? `${str(registry)}/${str(img.repository)}:${tag}` : `${str(img.repository)}:${tag}`;
}

/** Istio: `hub | default global.hub` / `image | default "pilot"` : `tag | default global.tag` (templates/deployment.yaml lines 98-102). */
/** Istio's templates/zzz_profile.yaml:56: `mustMergeOverwrite $defaults $.Values` (the user's values over `_internal_defaults_do_not_set`). */
function istioEffective(v: Values): Values {
  const { _internal_defaults_do_not_set: defaults, ...user } = v;
  return mergeOverwrite(defaults, user);
}

function istioPilot(v: Values): string {
  const d = istioEffective(v);
  const image = str(dflt('pilot', d.image));
  if (image.includes('/')) return image;
  const variant = dflt(at(d, 'global.variant'), d.variant);
  return `${str(dflt(at(d, 'global.hub'), d.hub))}/${image}:${str(dflt(at(d, 'global.tag'), d.tag))}${truthy(variant) ? `-${str(variant)}` : ''}`;
}

/** Istio sidecar: files/injection-template.yaml line 188-191 and istiod's `ProxyImage` (pkg/kube/inject/inject.go `imageURL`: hub + "/" + image + ":" + tag). */
function istioProxy(v: Values, key: 'proxy' | 'proxy_init'): string {
  const g = (at(istioEffective(v), 'global') ?? {}) as Values;
  const image = str(dflt('proxyv2', at(g, `${key}.image`)));
  if (image.includes('/')) return image;
  return `${str(g.hub)}/${image}:${str(g.tag)}`;
}

const repoTag =
  (path: string, defaultTag?: (app: string) => string) =>
  (v: Values, app: string): string =>
    `${s(v, `${path}.repository`)}:${str(defaultTag === undefined ? at(v, `${path}.tag`) : dflt(defaultTag(app), at(v, `${path}.tag`)))}`;

const CM_EXPR =
  '{{ template "cert-manager.image" (tuple .Values.X.image .Values.imageRegistry .Values.imageNamespace (printf ":%s" .Chart.AppVersion)) }}';
const CM115_EXPR = '{{ template "image" (tuple .Values.X.image $.Chart.AppVersion) }}';
const certManagerComponents = [
  ['image', 'templates/deployment.yaml:89', 'templates/deployment.yaml:80'],
  ['webhook.image', 'templates/webhook-deployment.yaml:84', 'templates/webhook-deployment.yaml:67'],
  ['cainjector.image', 'templates/cainjector-deployment.yaml:79', 'templates/cainjector-deployment.yaml:62'],
  [
    'acmesolver.image',
    'templates/deployment.yaml:117 (--acme-http01-solver-image)',
    'templates/deployment.yaml:109 (--acme-http01-solver-image)',
  ],
  ['startupapicheck.image', 'templates/startupapicheck-job.yaml:60', 'templates/startupapicheck-job.yaml:50'],
] as const;

const ARGO_EXPR =
  '{{ default .Values.global.image.repository .Values.X.image.repository }}:{{ default (include "argo-cd.defaultTag" .) .Values.X.image.tag }}';
const argoDefault = (component: string, template: string): RenderedImage => ({
  path: `${component}.image`,
  template,
  expression: ARGO_EXPR.replace(/X\./g, `${component}.`),
  render: (v, app) =>
    `${str(dflt(at(v, 'global.image.repository'), at(v, `${component}.image.repository`)))}:${str(dflt(dflt(app, at(v, 'global.image.tag')), at(v, `${component}.image.tag`)))}`,
  verdict: 'rewritten',
  reported: true,
});

/** The corpus. */
export const CHARTS: ChartCase[] = [
  {
    chart: 'cert-manager',
    values: 'values.yaml',
    appVersion: 'v0.0.0',
    images: certManagerComponents.map(([path, template]) => ({
      path,
      template,
      expression: CM_EXPR.replace('.Values.X.image', `.Values.${path}`),
      render: (v, app) => certManagerImage((at(v, path) ?? {}) as Values, at(v, 'imageRegistry'), at(v, 'imageNamespace'), `:${app}`),
      verdict: 'rewritten',
    })),
  },
  {
    chart: 'cert-manager-v1.15',
    values: 'values.yaml',
    appVersion: 'v1.15.3',
    images: certManagerComponents.map(([path, , template]) => ({
      path,
      template,
      expression: CM115_EXPR.replace('.Values.X.image', `.Values.${path}`),
      render: (v, app) => certManager115Image((at(v, path) ?? {}) as Values, app),
      verdict: 'rewritten',
    })),
  },
  {
    chart: 'ingress-nginx',
    values: 'values.yaml',
    appVersion: '1.15.1',
    images: [
      [
        'controller.image',
        'templates/controller-deployment.yaml:87-88',
        '{{- with (merge .Values.controller.image .Values.global.image) }} {{ if .repository }}{{ .repository }}{{ else }}{{ .registry }}/{{ include "ingress-nginx.image" . }}{{ end }}:{{ .tag }}{{ include "ingress-nginx.imageDigest" . }}',
      ],
      [
        'controller.admissionWebhooks.patch.image',
        'templates/admission-webhooks/job-patch/job-createSecret.yaml:48-49',
        '{{- with (merge .Values.controller.admissionWebhooks.patch.image .Values.global.image) }} {{ if .repository }}{{ .repository }}{{ else }}{{ .registry }}/{{ .image }}{{ end }}:{{ .tag }}{{ if .digest }}@{{ .digest }}{{ end }}',
      ],
      [
        'defaultBackend.image',
        'templates/default-backend-deployment.yaml:56-57',
        '{{- with (merge .Values.defaultBackend.image .Values.global.image) }} … same as above',
      ],
    ].map(([path, template, expression]) => ({
      path: path!,
      template: template!,
      expression: expression!,
      render: (v: Values) => ingressNginxImage(v, path!),
      verdict: 'rewritten' as const,
    })),
  },
  {
    chart: 'istiod',
    values: 'values.yaml',
    appVersion: '1.0.0',
    images: [
      {
        path: '_internal_defaults_do_not_set.image',
        template: 'templates/deployment.yaml:98-102',
        expression:
          '{{ .Values.hub | default .Values.global.hub }}/{{ .Values.image | default "pilot" }}:{{ .Values.tag | default .Values.global.tag }}{{with (.Values.variant | default .Values.global.variant)}}-{{.}}{{end}}',
        render: istioPilot,
        verdict: 'uncovered',
      },
      {
        path: '_internal_defaults_do_not_set.global.proxy.image',
        template: 'files/injection-template.yaml:188-191 and istiod pkg/kube/inject/inject.go ProxyImage/imageURL',
        expression: '{{ .ProxyImage }} = global.hub + "/" + global.proxy.image + ":" + global.tag',
        render: (v) => istioProxy(v, 'proxy'),
        verdict: 'uncovered',
      },
      {
        path: '_internal_defaults_do_not_set.global.proxy_init.image',
        template: 'files/injection-template.yaml:87-90 and istiod ProxyImage',
        expression: '{{ .ProxyInitImage }} = global.hub + "/" + global.proxy_init.image + ":" + global.tag',
        render: (v) => istioProxy(v, 'proxy_init'),
        verdict: 'uncovered',
      },
    ],
  },
  {
    chart: 'istiod',
    values: 'values.yaml',
    appVersion: '1.0.0',
    // Derived: the hub and tag Istio's install docs have users set (`--set global.hub=docker.io/istio`),
    // since the repository's values point at a testing registry no ECR rule can cache.
    overlay: 'global:\n  hub: docker.io/istio\n  tag: 1.29.6\n',
    images: [
      {
        path: '_internal_defaults_do_not_set.image',
        template: 'templates/deployment.yaml:98-102',
        expression: 'as above',
        render: istioPilot,
        verdict: 'rewritten',
      },
      {
        path: '_internal_defaults_do_not_set.global.proxy.image',
        template: 'files/injection-template.yaml:188-191',
        expression: 'as above',
        render: (v) => istioProxy(v, 'proxy'),
        verdict: 'rewritten',
      },
      {
        path: '_internal_defaults_do_not_set.global.proxy_init.image',
        template: 'files/injection-template.yaml:87-90',
        expression: 'as above',
        render: (v) => istioProxy(v, 'proxy_init'),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'loki',
    values: 'values.yaml',
    appVersion: '3.6.12',
    images: [
      {
        path: 'loki.image',
        template: 'templates/_helpers.tpl:192-195 (loki.lokiImage -> loki.baseImage 173-187)',
        expression:
          '{{- $registry := .global.imageRegistry | default ((.global.image).registry) | default .global.registry | default .service.registry | default "" -}} … {{- printf "%s%s%s" $prefix $repository $ref -}}',
        render: (v, app) => lokiBaseImage(v, (at(v, 'loki.image') ?? {}) as Values, app),
        verdict: 'rewritten',
      },
      {
        path: 'enterprise.image',
        template: 'templates/_helpers.tpl:200-203 (loki.enterpriseImage)',
        expression: 'loki.baseImage with "service" .Values.enterprise.image "defaultVersion" .Values.enterprise.version',
        render: (v) => lokiBaseImage(v, (at(v, 'enterprise.image') ?? {}) as Values, at(v, 'enterprise.version')),
        verdict: 'rewritten',
      },
      {
        path: 'enterprise.provisioner.image',
        template: 'templates/_helpers.tpl loki.baseImage (provisioner job)',
        expression: 'loki.baseImage with "service" .Values.enterprise.provisioner.image',
        render: (v) => lokiBaseImage(v, (at(v, 'enterprise.provisioner.image') ?? {}) as Values, undefined),
        verdict: 'uncovered',
      },
      {
        path: 'singleBinary.image',
        template: '(no template at this commit reads singleBinary.image)',
        expression: 'every key null',
        render: (v) => JSON.stringify(at(v, 'singleBinary.image')),
        verdict: 'reported',
      },
    ],
  },
  {
    chart: 'grafana',
    values: 'values.yaml',
    appVersion: '12.3.1',
    images: [
      {
        path: 'initChownData.image',
        template: 'templates/_pod.tpl:42-46',
        expression:
          '{{- $registry := .Values.global.imageRegistry | default .Values.initChownData.image.registry -}} "{{ $registry }}/{{ .Values.initChownData.image.repository }}:{{ .Values.initChownData.image.tag }}[@sha256:{{ .Values.initChownData.image.sha }}]"',
        render: (v) => registryShaImage(v, 'initChownData.image'),
        verdict: 'rewritten',
      },
      {
        path: 'downloadDashboardsImage',
        template: 'templates/_pod.tpl:71-75',
        expression:
          '{{- $registry := .Values.global.imageRegistry | default .Values.downloadDashboardsImage.registry -}} "{{ $registry }}/{{ .Values.downloadDashboardsImage.repository }}:{{ .Values.downloadDashboardsImage.tag }}…"',
        render: (v) => registryShaImage(v, 'downloadDashboardsImage'),
        verdict: 'rewritten',
      },
      {
        path: 'sidecar.image',
        template: 'templates/_pod.tpl:120-124',
        expression:
          '{{- $registry := .Values.global.imageRegistry | default .Values.sidecar.image.registry -}} "{{ $registry }}/{{ .Values.sidecar.image.repository }}:{{ .Values.sidecar.image.tag }}…"',
        render: (v) => registryShaImage(v, 'sidecar.image'),
        verdict: 'rewritten',
      },
      {
        path: 'image',
        template: 'templates/_pod.tpl (grafana container)',
        expression:
          '{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}} "{{ $registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}…"',
        render: (v, app) => registryShaImage(v, 'image', app),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'kube-prometheus-stack',
    values: 'values.yaml',
    appVersion: 'v0.93.1',
    images: [
      ['alertmanager.alertmanagerSpec.image', 'templates/alertmanager/alertmanager.yaml:19-27', undefined],
      ['prometheusOperator.image', 'templates/prometheus-operator/deployment.yaml:52-56', 'app'],
      [
        'prometheusOperator.admissionWebhooks.deployment.image',
        'templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml:50-54',
        'app',
      ],
      [
        'prometheusOperator.admissionWebhooks.patch.image',
        'templates/prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml:38-42',
        undefined,
      ],
      ['thanosRuler.thanosRulerSpec.image', 'templates/thanos-ruler/ruler.yaml:16-24', undefined],
      ['crds.upgradeJob.image.busybox', 'charts/crds/templates/upgrade/job.yaml:40-44', undefined],
    ].map(([path, template, tag]) => ({
      path: path!,
      template: template!,
      expression: `{{- $registry := .Values.global.imageRegistry | default .Values.${path}.registry -}} "{{ $registry }}/{{ .Values.${path}.repository }}:{{ .Values.${path}.tag${tag === undefined ? '' : ' | default .Chart.AppVersion'} }}[@sha256:{{ .Values.${path}.sha }}]"`,
      render: (v: Values, app: string) => registryShaImage(v, path!, tag === undefined ? undefined : app),
      verdict: 'rewritten' as const,
    })),
  },
  ...(['redis', 'postgresql'] as const).map((chart): ChartCase => ({
    chart,
    values: `${chart}/values.yaml`,
    appVersion: chart === 'redis' ? '8.2.1' : '17.6.0',
    images: (chart === 'redis'
      ? ['image', 'sentinel.image', 'metrics.image', 'volumePermissions.image', 'kubectl.image', 'sysctl.image']
      : ['image', 'metrics.image', 'volumePermissions.image']
    ).map((path) => ({
      path,
      template: `${chart}/templates/_helpers.tpl ({{ include "common.images.image" (dict "imageRoot" .Values.${path} "global" .Values.global) }}), common/templates/_images.tpl:12-32`,
      expression:
        '{{- $registryName := default .imageRoot.registry ((.global).imageRegistry) -}} … {{- printf "%s/%s%s%s" $registryName $repositoryName $separator $termination -}}',
      render: (v: Values) => bitnamiImage(v, path),
      verdict: 'rewritten' as const,
    })),
  })),
  {
    chart: 'argo-cd',
    values: 'values.yaml',
    appVersion: 'v3.4.4',
    images: [
      {
        path: 'global.image',
        template: 'templates/argocd-application-controller/statefulset.yaml:79 (through controller.image)',
        expression: ARGO_EXPR.replace(/X\./g, 'controller.'),
        render: (v, app) => `${s(v, 'global.image.repository')}:${str(dflt(app, at(v, 'global.image.tag')))}`,
        verdict: 'rewritten',
      },
      argoDefault('controller', 'templates/argocd-application-controller/statefulset.yaml:79'),
      argoDefault('server', 'templates/argocd-server/deployment.yaml:72'),
      {
        path: 'dex.image',
        template: 'templates/dex/deployment.yaml:74',
        expression: '{{ .Values.dex.image.repository }}:{{ .Values.dex.image.tag }}',
        render: repoTag('dex.image'),
        verdict: 'rewritten',
      },
      {
        path: 'redis.image',
        template: 'templates/redis/deployment.yaml:64',
        expression: '{{ .Values.redis.image.repository }}:{{ .Values.redis.image.tag }}',
        render: repoTag('redis.image'),
        verdict: 'uncovered',
      },
      {
        path: 'redis.exporter.image',
        template: 'templates/redis/deployment.yaml:132',
        expression: '{{ .Values.redis.exporter.image.repository }}:{{ .Values.redis.exporter.image.tag }}',
        render: repoTag('redis.exporter.image'),
        verdict: 'rewritten',
      },
      {
        path: 'server.extensions.image',
        template: 'templates/argocd-server/deployment.yaml:478',
        expression: '{{ $.Values.server.extensions.image.repository }}:{{ $.Values.server.extensions.image.tag }}',
        render: repoTag('server.extensions.image'),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'external-dns',
    values: 'values.yaml',
    appVersion: '0.21.0',
    images: [
      {
        path: 'image',
        template: 'templates/_helpers.tpl:80-82',
        expression: '{{- printf "%s:%s" .Values.image.repository (default (printf "v%s" .Chart.AppVersion) .Values.image.tag) }}',
        render: repoTag('image', (app) => `v${app}`),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'metrics-server',
    values: 'values.yaml',
    appVersion: '0.8.1',
    images: [
      {
        path: 'image',
        template: 'templates/_helpers.tpl:77-79',
        expression: '{{- printf "%s:%s" .Values.image.repository (default (printf "v%s" .Chart.AppVersion) .Values.image.tag) }}',
        render: repoTag('image', (app) => `v${app}`),
        verdict: 'rewritten',
      },
      {
        path: 'addonResizer.image',
        template: 'templates/_helpers.tpl:84-86',
        expression: '{{- printf "%s:%s" .Values.addonResizer.image.repository .Values.addonResizer.image.tag }}',
        render: repoTag('addonResizer.image'),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'cluster-autoscaler',
    values: 'values.yaml',
    appVersion: '1.35.0',
    images: [
      {
        path: 'image',
        template: 'templates/deployment.yaml:63',
        expression: '"{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
        render: repoTag('image'),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'aws-load-balancer-controller',
    values: 'values.yaml',
    appVersion: 'v3.5.0',
    images: [
      {
        path: 'image',
        template: 'templates/deployment.yaml:237',
        expression: '"{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
        render: repoTag('image'),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'karpenter',
    values: 'values.yaml',
    appVersion: '1.14.1',
    images: [
      {
        path: 'controller.image',
        template: 'templates/_helpers.tpl:70-76',
        expression:
          '{{- printf "%s:%s@%s" .Values.controller.image.repository (default (printf "%s" .Chart.AppVersion) .Values.controller.image.tag) .Values.controller.image.digest }}',
        render: (v, app) =>
          `${s(v, 'controller.image.repository')}:${str(dflt(app, at(v, 'controller.image.tag')))}${truthy(at(v, 'controller.image.digest')) ? `@${s(v, 'controller.image.digest')}` : ''}`,
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'traefik',
    values: 'values.yaml',
    appVersion: 'v3.7.11',
    images: [
      {
        path: 'image',
        template: 'templates/_helpers.tpl:32-40,62-66',
        expression:
          '{{- printf "%s/%s:%s%s" (include "traefik.imageRegistry" .) (include "traefik.imageRepository" .) (.Values.image.tag | default (include "traefik.defaultTag" .)) … }} with registry default "docker.io" and repository default "traefik"',
        render: (v, app) =>
          `${str(dflt('docker.io', at(v, 'image.registry')))}/${str(dflt('traefik', at(v, 'image.repository')))}:${str(dflt(app, at(v, 'image.tag')))}`,
        verdict: 'reported',
      },
      {
        path: 'global.azure.images.proxy',
        template: 'templates/_helpers.tpl:57-60 (global.azure.enabled)',
        expression:
          '{{- printf "%s/%s:%s" .Values.global.azure.images.proxy.registry .Values.global.azure.images.proxy.image .Values.global.azure.images.proxy.tag }}',
        render: (v) =>
          `${s(v, 'global.azure.images.proxy.registry')}/${s(v, 'global.azure.images.proxy.image')}:${s(v, 'global.azure.images.proxy.tag')}`,
        verdict: 'rewritten',
      },
      {
        path: 'oci_meta.images.proxy',
        template: 'templates/_helpers.tpl:50-54 (oci_meta.enabled)',
        expression: '{{- printf "%s/%s:%s" .Values.oci_meta.repo .Values.oci_meta.images.proxy.image .Values.oci_meta.images.proxy.tag }}',
        render: (v) => `${s(v, 'oci_meta.repo')}/${s(v, 'oci_meta.images.proxy.image')}:${s(v, 'oci_meta.images.proxy.tag')}`,
        verdict: 'reported',
      },
    ],
  },
  {
    chart: 'kyverno',
    values: 'values.yaml',
    appVersion: 'latest',
    images: [
      {
        path: 'admissionController.container.image',
        template: 'templates/admission-controller/deployment.yaml:155',
        expression:
          '{{ include "kyverno.image" (dict "globalRegistry" .Values.global.image.registry "image" .Values.admissionController.container.image "defaultTag" .Chart.AppVersion) }}',
        render: (v, app) => kyvernoImage(v, 'admissionController.container.image', at(v, 'global.image.registry'), app),
        verdict: 'uncovered',
      },
      {
        path: 'webhooksCleanup.image',
        template: 'templates/hooks/pre-delete-remove-webhooks.yaml:43',
        expression:
          '{{ include "kyverno.image" (dict "globalRegistry" .Values.global.image.registry "image" .Values.webhooksCleanup.image "defaultTag" (default .Chart.AppVersion .Values.webhooksCleanup.image.tag)) }}',
        render: (v, app) => kyvernoImage(v, 'webhooksCleanup.image', at(v, 'global.image.registry'), app),
        verdict: 'rewritten',
      },
      {
        path: 'test.image',
        template: 'templates/tests/_helpers.tpl:26',
        expression: '{{- template "kyverno.image" (dict "image" .Values.test.image "defaultTag" "latest") -}}',
        render: (v) => kyvernoImage(v, 'test.image', undefined, 'latest'),
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'mysql',
    values: 'values.yaml',
    appVersion: '5.7.30',
    images: [
      {
        path: 'image',
        template: 'templates/deployment.yaml:82',
        expression: '"{{ .Values.image }}:{{ .Values.imageTag }}"',
        render: (v) => `${s(v, 'image')}:${s(v, 'imageTag')}`,
        verdict: 'rewritten',
      },
      {
        path: 'busybox',
        template: 'templates/deployment.yaml:54',
        expression: '"{{ .Values.busybox.image}}:{{ .Values.busybox.tag }}"',
        render: (v) => `${s(v, 'busybox.image')}:${s(v, 'busybox.tag')}`,
        verdict: 'rewritten',
      },
      {
        path: 'metrics',
        template: 'templates/deployment.yaml:194',
        expression: '"{{ .Values.metrics.image }}:{{ .Values.metrics.imageTag }}"',
        render: (v) => `${s(v, 'metrics.image')}:${s(v, 'metrics.imageTag')}`,
        verdict: 'rewritten',
      },
      {
        path: 'testFramework',
        template: 'templates/tests/test.yaml:38',
        expression: '"{{ .Values.testFramework.image }}:{{ .Values.testFramework.tag }}"',
        render: (v) => `${s(v, 'testFramework.image')}:${s(v, 'testFramework.tag')}`,
        verdict: 'rewritten',
      },
    ],
  },
  {
    chart: 'jenkins',
    values: 'values.yaml',
    appVersion: '2.568.2',
    images: [
      {
        path: 'controller.image',
        template: 'templates/jenkins-controller-statefulset.yaml:181 and _helpers.tpl:639-645 (controller.image.tag)',
        expression:
          '"{{ .Values.controller.image.registry }}/{{ .Values.controller.image.repository }}:{{- include "controller.image.tag" . -}}"',
        render: (v, app) =>
          `${s(v, 'controller.image.registry')}/${s(v, 'controller.image.repository')}:${str(dflt(`${app}-${s(v, 'controller.image.tagLabel')}`, at(v, 'controller.image.tag')))}`,
        verdict: 'rewritten',
      },
      {
        path: 'agent.image',
        template: 'templates/_helpers.tpl:426-429',
        expression:
          '{{- if ne .Values.agent.image.registry "" }} "{{ tpl .Values.agent.image.registry . }}/{{ tpl .Values.agent.image.repository . }}:{{ tpl .Values.agent.image.tag . }}" {{- else }} "{{ tpl .Values.agent.image.repository . }}:{{ tpl .Values.agent.image.tag . }}"',
        render: (v) =>
          (s(v, 'agent.image.registry') !== '' ? `${s(v, 'agent.image.registry')}/` : '') +
          `${s(v, 'agent.image.repository')}:${s(v, 'agent.image.tag')}`,
        verdict: 'rewritten',
      },
    ],
  },
];
