/** The chart corpus's expected renders, argo-cd to jenkins (see renders.ts). */
import { at, dflt, str, truthy } from './template';
import { s, kyvernoImage, repoTag, ARGO_EXPR, argoDefault } from './render-helpers';
import type { ChartCase } from './render-types';

export const APP_CHARTS: ChartCase[] = [
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
