/**
 * What a chart renders from its values, by convention class. An image site is every value that
 * takes part in one rendered image: the name (`repository`, `image`, `imageName`, `name`), the
 * registries that may be put in front of it (`registry`, `defaultRegistry`, `global.imageRegistry`,
 * `global.image.registry`, `global.registry`), a shared prefix (Istio's `hub`, cert-manager's
 * `imageRegistry` + `imageNamespace`), and the tag and digest (`tag`, `imageTag`, `digest`, `sha`).
 * The composition is the one the charts' templates share:
 * `[registry/][prefix/]name[:tag][@digest]`.
 */
import type { Slot } from './tree';

/** The convention a site was recognized by, for reports and for the choice of rewrite. */
export type SiteKind =
  /** `image: "ref"`: the whole reference in one string. */
  | 'reference'
  /** A name with its tag (and maybe registry or digest) in sibling keys. */
  | 'split'
  /** A name under a shared prefix (`hub`, `imageRegistry` + `imageNamespace`). */
  | 'prefixed';

/** A prefix several images share: Istio's `hub`, cert-manager's `imageRegistry` + `imageNamespace`. */
export interface PrefixGroup {
  /** What to call it in reports: `global.hub`, `imageRegistry + imageNamespace`. */
  readonly label: string;
  /** The parts joined with `/` in front of every name, outermost first; empty parts are skipped. */
  readonly parts: readonly Slot[];
  /** Image names the chart's templates add under the prefix when values name none (Istio's `pilot`). */
  readonly probes: readonly string[];
}

/** One rendered image and every value it is made of. */
export interface ImageSite {
  /** YAML path of the image, such as `controller.image`. */
  readonly path: string;
  readonly kind: SiteKind;
  /** The value holding the name (and, in `reference` sites, the host, tag and digest too). */
  readonly name: Slot;
  /** Registry keys of the image itself that are set (`registry`, `defaultRegistry`). */
  readonly ownRegistries: readonly Slot[];
  /** Chart-wide registry keys that are set and apply to this image. */
  readonly globalRegistries: readonly Slot[];
  /** The shared prefix, for `prefixed` sites. */
  readonly prefix?: PrefixGroup;
  readonly tag?: Slot;
  readonly digest?: Slot;
  /** The digest key holds bare hex (`sha:` in Grafana-family charts) that the template prefixes with `sha256:`. */
  readonly digestIsHex?: boolean;
}

/** An image shape ptc cannot compose for certain: reported, never rewritten. */
export interface Unsupported {
  readonly path: string;
  readonly message: string;
  /** The chart-wide registries that may apply to this image: while it is unproven, none of them moves. */
  readonly globals?: readonly Slot[];
}

/** The name part of a value, and what follows it (`:tag`, `@digest`), kept as written. */
export function splitName(value: string): { name: string; suffix: string } {
  const at = value.indexOf('@');
  const head = at < 0 ? value : value.slice(0, at);
  const colon = head.lastIndexOf(':');
  const cut = colon > head.lastIndexOf('/') ? colon : at < 0 ? value.length : at;
  return { name: value.slice(0, cut), suffix: value.slice(cut) };
}

/** True when the first path component of a name is a registry host (Docker's rule). */
export function hasHost(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return /[.:A-Z]/.test(first) || first === 'localhost';
}

/** The value of a slot, with planned edits applied. */
export type ValueOf = (slot: Slot | undefined) => string | undefined;

/**
 * The reference a chart renders for a site, with `valueOf` giving each slot's value (the file's,
 * or a planned new one). `undefined` when the site has no name.
 */
export function compose(site: ImageSite, valueOf: ValueOf): string | undefined {
  const name = valueOf(site.name);
  if (name === undefined) return undefined;
  const parts: string[] = [];
  const registry = [...site.globalRegistries, ...site.ownRegistries].map(valueOf).find((v) => v !== undefined);
  if (registry !== undefined) parts.push(registry);
  for (const part of site.prefix?.parts ?? []) {
    const v = valueOf(part);
    if (v !== undefined) parts.push(v);
  }
  parts.push(name);
  let out = parts.join('/');
  const tag = valueOf(site.tag);
  if (tag !== undefined) out += `:${tag}`;
  const digest = valueOf(site.digest);
  if (digest !== undefined) out += `@${site.digestIsHex === true && !digest.includes(':') ? `sha256:${digest}` : digest}`;
  return out;
}
