/**
 * Kustomize's `images:` transformer, modelled on its source (kustomize v5.5.0,
 * `api/internal/image/image.go`, `api/filters/imagetag/{legacy,updater}.go`,
 * `api/internal/konfig/builtinpluginconsts/images.go`): which image fields it edits, how an entry's
 * `name` matches a value, and what the value becomes.
 */
import { kindClass } from '../kinds';

/** One `images:` entry, as Kustomize reads it (empty strings are unset). */
export interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** Entry names ptc matches as Kustomize does: Kustomize compiles the name as a regular expression unescaped, which for these characters means only `.` matches any character. */
export const SAFE_NAME = /^[A-Za-z0-9._/:-]+$/;

const matchers = new Map<string, RegExp>();

/**
 * `IsImageMatched`: the value is the entry's name, optionally followed by a tag and a sha256 digest
 * (the name is used as a regular expression, as Kustomize does). Tags and digests are ignored.
 */
export function imageMatches(value: string, name: string): boolean {
  let re = matchers.get(name);
  if (re === undefined) {
    re = new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    matchers.set(name, re);
  }
  return re.test(value);
}

/** `Split`: name, tag and digest of an image value; a `:` before the first `/` is a port. */
export function splitImage(value: string): { name: string; tag: string; digest: string } {
  const slash = value.indexOf('/');
  const from = slash > 0 ? slash : 0;
  const search = value.slice(from);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: value, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) return { name: value.slice(0, from + at), tag: '', digest: value.slice(from + at + 1) };
  if (at >= 0 && colon >= 0)
    return { name: value.slice(0, from + colon), tag: value.slice(from + colon + 1, from + at), digest: value.slice(from + at + 1) };
  return { name: value.slice(0, from + colon), tag: value.slice(from + colon + 1), digest: '' };
}

/** The name part of an image value. */
export const nameOf = (value: string): string => splitImage(value).name;

/** `imageTagUpdater.SetImageValue`: one entry applied to one value (unchanged unless the name matches). */
export function applyEntry(entry: ImageEntry, value: string): string {
  if (!imageMatches(value, entry.name)) return value;
  let { name, tag, digest } = splitImage(value);
  if (entry.newName) name = entry.newName;
  // Overriding the tag or the digest replaces both.
  if (entry.newTag && entry.digest) {
    tag = entry.newTag;
    digest = entry.digest;
  } else if (entry.newTag) {
    tag = entry.newTag;
    digest = '';
  } else if (entry.digest) {
    tag = '';
    digest = entry.digest;
  } else if (entry.tagSuffix) {
    tag += entry.tagSuffix;
    digest = '';
  }
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/**
 * Where an image value sits in a resource, as far as the transformer is concerned: every `image`
 * of an item of a `containers` or `initContainers` list anywhere (the legacy filter), and a second
 * pass on the four default field specs (`spec/containers[]/image`, `spec/initContainers[]/image`,
 * `spec/template/spec/containers[]/image`, `spec/template/spec/initContainers[]/image`).
 */
export interface ImageSlot {
  /** Where it comes from: `base/deployment.yaml Deployment web spec.template.spec.containers[0]`. */
  origin: string;
  value: string;
  /** On a default field spec, so each entry applies to it twice. */
  twice: boolean;
  /**
   * In a policy or schema (a Kyverno pattern such as `eu.foo.io/*`): Kustomize's transformer still
   * reaches it, but ptc never judges it, and a plan must leave it as it renders today.
   */
  pattern?: boolean;
}

const FIELD_SPECS = new Set([
  'spec.containers',
  'spec.initContainers',
  'spec.template.spec.containers',
  'spec.template.spec.initContainers',
]);

/** One entry applied to a slot the way the transformer does (legacy filter, then the field specs). */
export function applyToSlot(entry: ImageEntry, value: string, twice: boolean): string {
  const once = applyEntry(entry, value);
  return twice ? applyEntry(entry, once) : once;
}

/** Every image slot of a parsed resource (Kustomize skips CustomResourceDefinitions). */
export function slotsOf(resource: unknown, label: string): ImageSlot[] {
  const out: ImageSlot[] = [];
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) return out;
  if ((resource as { kind?: unknown }).kind === 'CustomResourceDefinition') return out;
  const apiVersion = (resource as { apiVersion?: unknown }).apiVersion;
  const pattern = typeof apiVersion === 'string' && kindClass(apiVersion) === 'policy' ? { pattern: true } : {};
  const visit = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${at}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const path = at === '' ? key : `${at}.${key}`;
      visit(value, path);
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
        value.forEach((item: unknown, i) => {
          const image = item !== null && typeof item === 'object' ? (item as { image?: unknown }).image : undefined;
          if (typeof image === 'string')
            out.push({ origin: `${label} ${path}[${i}]`, value: image, twice: FIELD_SPECS.has(path), ...pattern });
        });
      }
    }
  };
  visit(resource, '');
  return out;
}
