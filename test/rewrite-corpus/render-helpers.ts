/**
 * How corpus charts compose an image from their values, transcribed from each chart's own templates
 * (file and line with each function); the cases in renders-*.ts use them.
 */
import { at, dflt, merge, mergeOverwrite, str, truthy, type Values } from './template';
import type { RenderedImage } from './render-types';

export const s = (v: Values, p: string): string => str(at(v, p));

/** cert-manager (HEAD) `cert-manager.image`: templates/_helpers.tpl lines 182-242. */
export function certManagerImage(img: Values, imageRegistry: unknown, imageNamespace: unknown, defaultReference: string): string {
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
export function certManager115Image(img: Values, defaultTag: string): string {
  const name = truthy(img.registry) ? `${str(img.registry)}/${str(img.repository)}` : str(img.repository);
  return truthy(img.digest) ? `${name}@${str(img.digest)}` : `${name}:${str(dflt(defaultTag, img.tag))}`;
}

/** ingress-nginx: `with (merge .Values.X.image .Values.global.image)` then the image line. */
export function ingressNginxImage(v: Values, path: string): string {
  const m = merge(at(v, path), at(v, 'global.image'));
  const chroot = truthy(m.chroot);
  const name = truthy(m.repository) ? str(m.repository) : `${str(m.registry)}/${str(m.image)}${chroot ? '-chroot' : ''}`;
  const digest = chroot ? m.digestChroot : m.digest;
  return `${name}:${str(m.tag)}${truthy(digest) ? `@${str(digest)}` : ''}`;
}

/** Bitnami `common.images.image` (common/templates/_images.tpl lines 12-32), called without `chart`. */
export function bitnamiImage(v: Values, path: string): string {
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
export function registryShaImage(v: Values, path: string, defaultTag?: string): string {
  const registry = dflt(at(v, `${path}.registry`), at(v, 'global.imageRegistry'));
  const tag = defaultTag === undefined ? s(v, `${path}.tag`) : str(dflt(defaultTag, at(v, `${path}.tag`)));
  const sha = at(v, `${path}.sha`);
  return `${str(registry)}/${s(v, `${path}.repository`)}:${tag}${truthy(sha) ? `@sha256:${str(sha)}` : ''}`;
}

/** Loki `loki.baseImage`: templates/_helpers.tpl lines 173-187. */
export function lokiBaseImage(v: Values, service: Values, defaultVersion: unknown): string {
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
export function kyvernoImage(v: Values, path: string, globalRegistry: unknown, defaultTag: string): string {
  const img = (at(v, path) ?? {}) as Values;
  const tag = str(dflt(defaultTag, img.tag));
  const registry = dflt(dflt(img.defaultRegistry, globalRegistry), img.registry);
  return truthy(registry) ? `${str(registry)}/${str(img.repository)}:${tag}` : `${str(img.repository)}:${tag}`;
}

/** Istio: `hub | default global.hub` / `image | default "pilot"` : `tag | default global.tag` (templates/deployment.yaml lines 98-102). */
/** Istio's templates/zzz_profile.yaml:56: `mustMergeOverwrite $defaults $.Values` (the user's values over `_internal_defaults_do_not_set`). */
export function istioEffective(v: Values): Values {
  const { _internal_defaults_do_not_set: defaults, ...user } = v;
  return mergeOverwrite(defaults, user);
}

export function istioPilot(v: Values): string {
  const d = istioEffective(v);
  const image = str(dflt('pilot', d.image));
  if (image.includes('/')) return image;
  const variant = dflt(at(d, 'global.variant'), d.variant);
  return `${str(dflt(at(d, 'global.hub'), d.hub))}/${image}:${str(dflt(at(d, 'global.tag'), d.tag))}${truthy(variant) ? `-${str(variant)}` : ''}`;
}

/** Istio sidecar: files/injection-template.yaml line 188-191 and istiod's `ProxyImage` (pkg/kube/inject/inject.go `imageURL`: hub + "/" + image + ":" + tag). */
export function istioProxy(v: Values, key: 'proxy' | 'proxy_init'): string {
  const g = (at(istioEffective(v), 'global') ?? {}) as Values;
  const image = str(dflt('proxyv2', at(g, `${key}.image`)));
  if (image.includes('/')) return image;
  return `${str(g.hub)}/${image}:${str(g.tag)}`;
}

export const repoTag =
  (path: string, defaultTag?: (app: string) => string) =>
  (v: Values, app: string): string =>
    `${s(v, `${path}.repository`)}:${str(defaultTag === undefined ? at(v, `${path}.tag`) : dflt(defaultTag(app), at(v, `${path}.tag`)))}`;

export const CM_EXPR =
  '{{ template "cert-manager.image" (tuple .Values.X.image .Values.imageRegistry .Values.imageNamespace (printf ":%s" .Chart.AppVersion)) }}';
export const CM115_EXPR = '{{ template "image" (tuple .Values.X.image $.Chart.AppVersion) }}';
export const certManagerComponents = [
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

export const ARGO_EXPR =
  '{{ default .Values.global.image.repository .Values.X.image.repository }}:{{ default (include "argo-cd.defaultTag" .) .Values.X.image.tag }}';
export const argoDefault = (component: string, template: string): RenderedImage => ({
  path: `${component}.image`,
  template,
  expression: ARGO_EXPR.replace(/X\./g, `${component}.`),
  render: (v, app) =>
    `${str(dflt(at(v, 'global.image.repository'), at(v, `${component}.image.repository`)))}:${str(dflt(dflt(app, at(v, 'global.image.tag')), at(v, `${component}.image.tag`)))}`,
  verdict: 'rewritten',
  reported: true,
});
