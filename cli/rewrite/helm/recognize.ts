/**
 * Finds the image sites of a values document, by convention class rather than by chart:
 * - a reference string under a key named `image` or ending in `Image`;
 * - an image block: a map holding a name (`repository`, `image`, `imageName`, or cert-manager's
 *   `name`) beside its `registry`/`defaultRegistry`, `tag`/`imageTag` and `digest`/`sha`, under an
 *   image key or recognizable by those keys anywhere (`crds.upgradeJob.image.busybox`);
 * - a name string beside a sibling tag key (`image` + `imageTag`, `image` + `tag`);
 * - names under a shared prefix: Istio's `hub` (a name without `/` in the scope of a map with a
 *   `hub`, or of a `global.hub`), cert-manager's top-level `imageRegistry` + `imageNamespace`;
 * - chart-wide registries: `global.imageRegistry`, `global.image.registry`, `global.registry`.
 * A shape whose rendering depends on the chart's template in a way values cannot tell (two
 * different registries set, a registry and a host in the name, a tag in the name and a tag key)
 * is reported with its path instead.
 */
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { deref, fieldsOf, stringSlot, type Base, type Entry, type Fields, type Slot } from './tree';
import { ChunkError } from './chunks';
import { hasHost, splitName, type ImageSite, type PrefixGroup, type Unsupported } from './sites';

/** Keys whose value is an image (a reference string or an image block). */
export const IMAGE_KEY = /^image$|Image$/;
const TEMPLATE = /\{\{|\$[({]/;
const TAG_KEYS = ['tag', 'imageTag'];
const DIGEST_KEYS = ['digest', 'imageDigest'];
const OWN_REGISTRY_KEYS = ['registry', 'defaultRegistry'];
/** Keys that make a map with a `repository` an image block even under a key that is not an image key. */
const BLOCK_KEYS = ['registry', 'defaultRegistry', 'tag', 'imageTag', 'digest', 'sha'];
const GLOBAL_REGISTRY_PATHS: readonly (readonly string[])[] = [['imageRegistry'], ['image', 'registry'], ['registry']];

/** What the walk found. */
export interface Recognized {
  sites: ImageSite[];
  unsupported: Unsupported[];
  /** Every shared prefix, with or without images named in the values. */
  prefixes: PrefixGroup[];
}

interface Scope {
  fields: Fields;
  path: string;
}

interface Walk {
  out: Recognized;
  /** Non-empty chart-wide registries. */
  globals: Slot[];
  /** cert-manager's `imageRegistry` + `imageNamespace`, when the root has them. */
  rootPrefix?: PrefixGroup;
  /** Istio hubs, by the scope map that holds them. */
  hubs: WeakMap<Fields, PrefixGroup | null>;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function firstSlot(fields: Fields, keys: readonly string[], path: string): Slot | undefined {
  for (const key of keys) {
    const slot = stringSlot(fields, key, path);
    if (slot !== undefined) return slot;
  }
  return undefined;
}

function mapOf(fields: Fields, key: string): { map: YAMLMap; base: Base } | undefined {
  const entry = fields.get(key);
  const map = entry === undefined ? undefined : deref(entry.value, entry.base.doc);
  return entry !== undefined && isMap(map) ? { map, base: entry.base } : undefined;
}

function globalRegistries(root: Fields): Slot[] {
  const global = mapOf(root, 'global');
  if (global === undefined) return [];
  const out: Slot[] = [];
  for (const keys of GLOBAL_REGISTRY_PATHS) {
    let fields = fieldsOf(global.map, global.base);
    let path = 'global';
    for (const key of keys.slice(0, -1)) {
      const next = mapOf(fields, key);
      if (next === undefined) {
        fields = new Map();
        break;
      }
      fields = fieldsOf(next.map, next.base);
      path = join(path, key);
    }
    const slot = stringSlot(fields, keys[keys.length - 1]!, path);
    if (slot?.value !== undefined) out.push(slot);
  }
  return out;
}

/** The Istio hub that serves a name in `scopes` (innermost first): a map's `hub`, else its `global.hub`. */
function hubFor(scopes: readonly Scope[], w: Walk): PrefixGroup | undefined {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!;
    const own = hubIn(scope.fields, scope.path, w);
    if (own !== undefined) return own;
    const global = mapOf(scope.fields, 'global');
    if (global !== undefined) {
      const inGlobal = hubIn(fieldsOf(global.map, global.base), join(scope.path, 'global'), w);
      if (inGlobal !== undefined) return inGlobal;
    }
  }
  return undefined;
}

function hubIn(fields: Fields, path: string, w: Walk): PrefixGroup | undefined {
  const known = w.hubs.get(fields);
  if (known !== undefined) return known ?? undefined;
  const slot = stringSlot(fields, 'hub', path);
  const group = slot?.value === undefined ? null : { label: slot.path, parts: [slot], probes: ['probe'] };
  w.hubs.set(fields, group);
  if (group !== null) w.out.prefixes.push(group);
  return group ?? undefined;
}

/** Checks a site's composition is certain; returns the reason when it is not. */
function ambiguity(site: ImageSite, hasOwnRegistryKey: boolean): string | undefined {
  const name = site.name.value!;
  const { suffix } = splitName(name);
  const registries = [...site.globalRegistries, ...site.ownRegistries];
  const distinct = [...new Set(registries.map((s) => s.value))];
  if (distinct.length > 1) {
    return `${registries.map((s) => `${s.path} ("${s.value}")`).join(' and ')} disagree; which one the chart renders depends on its template`;
  }
  if (registries.length > 0 && hasHost(name)) {
    return `${registries[0]!.path} ("${registries[0]!.value}") is set and ${site.name.path} ("${name}") names a host too; charts differ on which wins`;
  }
  if (site.prefix !== undefined && site.prefix.parts.some((p) => p.value !== undefined) && hasHost(name)) {
    return `${site.name.path} ("${name}") names a host under ${site.prefix.label}; charts differ on which wins`;
  }
  const extra = [site.tag, site.digest].find((s) => s?.value !== undefined);
  if (suffix !== '' && extra !== undefined) {
    return `${site.name.path} ("${name}") holds a tag or digest and ${extra.path} is set too; the chart would render both`;
  }
  if (site.globalRegistries.length > 0 && !hasOwnRegistryKey) {
    return `${site.globalRegistries[0]!.path} is set, and whether the chart puts it in front of ${site.name.path} (which has no registry key beside it) depends on its template`;
  }
  return undefined;
}

/** A registry or repository key of an enclosing map that a template may put in front of a name (traefik's `oci_meta.repo`). */
const OUTER_PREFIX_KEYS = ['repo', 'registry', 'imageRegistry', 'hub'];

function outerPrefix(site: ImageSite, scopes: readonly Scope[], w: Walk): Slot | undefined {
  if (site.prefix !== undefined || site.ownRegistries.length > 0 || site.globalRegistries.length > 0 || hasHost(site.name.value!))
    return undefined;
  // The scopes end with the map holding the name; look at the three maps around it.
  for (const scope of scopes.slice(Math.max(0, scopes.length - 4), -1)) {
    for (const key of OUTER_PREFIX_KEYS) {
      if (key === 'imageRegistry' && scope.path === '' && w.rootPrefix !== undefined) continue;
      const slot = stringSlot(scope.fields, key, scope.path);
      if (slot?.value !== undefined && slot.node !== undefined && typeof slot.node.value === 'string') return slot;
    }
  }
  return undefined;
}

function addSite(site: ImageSite, hasOwnRegistryKey: boolean, scopes: readonly Scope[], w: Walk): void {
  const value = site.name.value;
  if (value === undefined || typeof site.name.node?.value !== 'string' || TEMPLATE.test(value)) return;
  const outer = outerPrefix(site, scopes, w);
  if (outer !== undefined) {
    w.out.unsupported.push({
      path: site.path,
      message: `${outer.path} ("${outer.value}") may be put in front of ${site.name.path} ("${value}") by the chart's template`,
    });
    return;
  }
  const why = ambiguity(site, hasOwnRegistryKey);
  if (why !== undefined)
    w.out.unsupported.push({
      path: site.path,
      message: why,
      ...(site.globalRegistries.length > 0 ? { globals: site.globalRegistries } : {}),
    });
  else w.out.sites.push(site);
}

/** An image block: a name key with its registry, tag and digest keys. Returns the keys it used. */
function block(fields: Fields, path: string, underImageKey: boolean, scopes: readonly Scope[], w: Walk): Set<string> | undefined {
  const has = (k: string): boolean => fields.has(k);
  let nameKey: string | undefined;
  if (has('repository') && (underImageKey || BLOCK_KEYS.some(has))) nameKey = 'repository';
  else if (stringSlot(fields, 'image', path) !== undefined && (underImageKey || BLOCK_KEYS.some(has))) nameKey = 'image';
  else if (has('imageName')) nameKey = 'imageName';
  else if (underImageKey && has('name') && (w.rootPrefix !== undefined || has('registry'))) nameKey = 'name';
  if (nameKey === undefined) return undefined;
  let name = stringSlot(fields, nameKey, path);
  // cert-manager: an empty `repository` means "compose imageRegistry/imageNamespace/name".
  let prefix: PrefixGroup | undefined;
  if (nameKey === 'repository' && name?.value === undefined && has('name') && w.rootPrefix !== undefined) {
    nameKey = 'name';
    name = stringSlot(fields, 'name', path);
  }
  if (nameKey === 'name') prefix = w.rootPrefix;
  const used = new Set([nameKey, ...TAG_KEYS, ...DIGEST_KEYS, 'sha', ...OWN_REGISTRY_KEYS]);
  const tag = firstSlot(fields, TAG_KEYS, path);
  const sha = stringSlot(fields, 'sha', path);
  const digest = firstSlot(fields, DIGEST_KEYS, path) ?? sha;
  const own = OWN_REGISTRY_KEYS.map((k) => stringSlot(fields, k, path)).filter((s): s is Slot => s?.value !== undefined);
  if (name?.value === undefined) {
    const set = [...own, tag, digest].find((s) => s?.value !== undefined);
    const detail = set !== undefined ? `${set.path} is set but ${join(path, nameKey)} is empty` : `${join(path, nameKey)} is empty`;
    // A chart-wide registry may still go in front of whatever the template chooses.
    const globals = prefix === undefined && w.globals.length > 0 ? { globals: w.globals } : {};
    w.out.unsupported.push({
      path,
      message: `${detail}: the chart's template chooses this image (a default, or another value), so ptc cannot prove it goes through the cache; set ${join(path, nameKey)} or check the rendered manifests`,
      ...globals,
    });
    return used;
  }
  if (nameKey === 'name' && own.length > 0) {
    w.out.unsupported.push({
      path,
      message: `${own[0]!.path} is prepended to ${prefix?.label ?? 'the composed name'} (a deprecated "double registry" form)`,
    });
    return used;
  }
  if (nameKey === 'image' && !has('registry') && !name.value.includes('/') && w.globals.length === 0) {
    // Istio-style: a bare name under a hub.
    const hub = hubFor(scopes, w);
    if (hub !== undefined) prefix = hub;
  }
  const hasOwnRegistryKey = has('registry') || has('defaultRegistry') || nameKey === 'image';
  const site: ImageSite = {
    path: path === '' ? name.path : path,
    kind: prefix !== undefined ? 'prefixed' : 'split',
    name,
    ownRegistries: own,
    globalRegistries: prefix === undefined ? w.globals : [],
    ...(prefix !== undefined ? { prefix } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest, digestIsHex: digest === sha } : {}),
  };
  addSite(site, hasOwnRegistryKey, scopes, w);
  return used;
}

function stringImage(fields: Fields, key: string, path: string, scopes: readonly Scope[], w: Walk): void {
  const name = stringSlot(fields, key, path);
  if (name?.value === undefined) return;
  const stem = key.replace(/Image$/, '');
  const tag = firstSlot(fields, [`${key}Tag`, ...(stem !== key ? [`${stem}Tag`] : [])], path);
  const digest = firstSlot(fields, [`${key}Digest`], path);
  const hub = name.value.includes('/') ? undefined : hubFor(scopes, w);
  const split = tag !== undefined || digest !== undefined;
  const site: ImageSite = {
    path: join(path, key),
    kind: hub !== undefined ? 'prefixed' : split ? 'split' : 'reference',
    name,
    ownRegistries: [],
    globalRegistries: [],
    ...(hub !== undefined ? { prefix: hub } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
  addSite(site, false, scopes, w);
}

/** Walks a map's fields; returns the keys its own image block used (which are not walked again). */
function walkFields(
  fields: Fields,
  path: string,
  underImageKey: boolean,
  scopes: readonly Scope[],
  w: Walk,
  skipMaps = false,
): Set<string> {
  const here = [...scopes, { fields, path }];
  // Every hub is a prefix, even when no image name under it is written in the values.
  hubIn(fields, path, w);
  const used = block(fields, path, underImageKey, here, w) ?? new Set<string>();
  for (const [key, entry] of fields) {
    if (used.has(key) || key === 'hub') continue;
    const target = deref(entry.value, entry.base.doc);
    const at = join(path, key);
    if (isMap(target)) {
      if (!skipMaps) walkFields(fieldsOf(target, entry.base), at, IMAGE_KEY.test(key), here, w);
    } else if (isSeq(target)) {
      if (!skipMaps) walkSeq(target.items, entry.base, at, here, w);
    } else if (IMAGE_KEY.test(key)) stringImage(fields, key, path, here, w);
  }
  return used;
}

function walkSeq(items: readonly unknown[], base: Base, path: string, scopes: readonly Scope[], w: Walk): void {
  items.forEach((item, index) => {
    const target = deref(item, base.doc);
    const at = `${path}[${index}]`;
    if (isMap(target)) walkFields(fieldsOf(target, base), at, false, scopes, w);
    else if (isSeq(target)) walkSeq(target.items, base, at, scopes, w);
  });
}

/**
 * A values document cut at its top-level keys (see `helm/chunks.ts`): each part is parsed on its
 * own, so a 50 MB file never becomes one 50 MB document tree.
 */
export interface ValuesParts {
  /** Parts whose top-level value is a scalar, plus `global`: the context every image may use. */
  context: readonly Base[];
  /** The other parts, parsed one at a time (and dropped once walked). */
  rest: Iterable<Base | NestedParts>;
}

/**
 * One top-level entry whose block map is cut at its own keys (`nestedChunks` in `helm/chunks.ts`):
 * walked as if parsed whole, with the map's scalar entries (and the keys an image block is known
 * by) as its fields and the entries holding maps or lists parsed one at a time.
 */
export interface NestedParts {
  /** The top-level key. */
  readonly key: string;
  /** Parts each holding one entry of the map that the map's own fields are made of. */
  readonly context: readonly Base[];
  /** Parts each holding one entry whose value is a block map or list. */
  readonly rest: Iterable<Base>;
}

function walkNested(part: NestedParts, rootScope: Scope, w: Walk): void {
  const fields = rootFieldsOf(part.context);
  const scopes = [rootScope];
  const used = walkFields(fields, part.key, IMAGE_KEY.test(part.key), scopes, w);
  const here = [...scopes, { fields, path: part.key }];
  for (const base of part.rest) {
    const root = deref(base.doc.contents, base.doc);
    if (!isMap(root)) throw new ChunkError();
    for (const [key, entry] of fieldsOf(root, base)) {
      if (used.has(key) || key === 'hub') continue;
      const target = deref(entry.value, base.doc);
      const at = join(part.key, key);
      if (isMap(target)) walkFields(fieldsOf(target, base), at, IMAGE_KEY.test(key), here, w);
      else if (isSeq(target)) walkSeq(target.items, base, at, here, w);
      // The cut read this entry as a map or list: a value of another kind is walked whole instead.
      else throw new ChunkError();
    }
  }
}

function rootFieldsOf(parts: readonly Base[]): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const base of parts) {
    const root = deref(base.doc.contents, base.doc);
    if (!isMap(root)) continue;
    for (const [key, entry] of fieldsOf(root, base)) if (!out.has(key)) out.set(key, entry);
  }
  return out;
}

/** Finds every image site of one values document, given as its top-level parts. */
export function recognize(parts: ValuesParts): Recognized {
  const out: Recognized = { sites: [], unsupported: [], prefixes: [] };
  const rootFields = rootFieldsOf(parts.context);
  const w: Walk = { out, globals: globalRegistries(rootFields), hubs: new WeakMap() };
  const registry = stringSlot(rootFields, 'imageRegistry', '');
  const namespace = stringSlot(rootFields, 'imageNamespace', '');
  const prefixParts = [registry, namespace].filter((s): s is Slot => s?.node !== undefined);
  if (prefixParts.length > 0) {
    w.rootPrefix = { label: prefixParts.map((p) => p.path).join(' + '), parts: prefixParts, probes: [] };
    out.prefixes.push(w.rootPrefix);
  }
  walkFields(rootFields, '', false, [], w);
  const rootScope: Scope = { fields: rootFields, path: '' };
  for (const base of parts.rest) {
    if ('key' in base) {
      walkNested(base, rootScope, w);
      continue;
    }
    const root = deref(base.doc.contents, base.doc);
    if (!isMap(root)) continue;
    const fields = fieldsOf(root, base);
    // Root-level keys of this part join the root scope for what is below them.
    for (const [key, entry] of fields) {
      const target = deref(entry.value, base.doc);
      if (isMap(target)) walkFields(fieldsOf(target, base), key, IMAGE_KEY.test(key), [rootScope], w);
      else if (isSeq(target)) walkSeq(target.items, base, key, [rootScope], w);
    }
  }
  return out;
}
