/** The chart corpus's expected renders, cert-manager to kube-prometheus-stack (see renders.ts). */
import { at, type Values } from './template';
import {
  certManagerImage,
  certManager115Image,
  ingressNginxImage,
  bitnamiImage,
  registryShaImage,
  lokiBaseImage,
  istioPilot,
  istioProxy,
  CM_EXPR,
  CM115_EXPR,
  certManagerComponents,
} from './render-helpers';
import type { ChartCase } from './render-types';

export const INFRA_CHARTS: ChartCase[] = [
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
];
