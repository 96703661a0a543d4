/**
 * `ptc audit --suggest-copies`: the `copies` lines that would cover the images a cluster pulls from
 * registries the pull-through cache cannot serve. Images of a host the config already copies are
 * suggested as lines to add to that entry's `images`; a new host gets a whole entry with a prefix
 * that neither repeats nor nests with the config's prefixes.
 */
import { pullThroughUpstreamOf } from '../config/copies-checks';
import type { CopyConfig } from '../config/copies-schema';
import { prefixProblem } from '../config/fields';
import { formatReference, type ImageReference } from '../image-ref/parse';

/** What the suggestion reads from the config. */
export interface SuggestConfig {
  readonly rules: readonly { readonly prefix: string }[];
  readonly copies?: readonly CopyConfig[] | undefined;
}

/** Lines to add: to an existing entry (`index`) or as a new entry (`prefix`). */
export interface CopySuggestion {
  readonly upstream: string;
  /** The existing `copies` entry of this upstream. */
  readonly index?: number;
  /** The prefix proposed for a new entry. */
  readonly prefix?: string;
  /** Normalized references (`host/path:tag[@digest]`), sorted, each once. */
  readonly images: string[];
}

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** A prefix for a new entry of `host`: its first DNS label, else the host in prefix characters; numbered when taken. */
function proposePrefix(host: string, taken: string[]): string {
  const first = host.split(/[.:]/)[0] ?? '';
  const whole = host
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  for (const base of [first, whole, 'copy']) {
    if (base === '' || prefixProblem(base) !== undefined) continue;
    for (let n = 1; n < 100; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      if (prefixProblem(candidate) === undefined && !taken.some((t) => overlaps(t, candidate))) return candidate;
    }
  }
  return `copy-${taken.length + 1}`;
}

/**
 * The suggestions for the audited images that stay upstream because no rule can serve their host
 * and no copy lists them. `images` are parsed references (the audit has parsed them already).
 * @example
 * suggestCopies(config, [parseReference('gcr.io/distroless/static:nonroot')])
 * // [{ upstream: 'gcr.io', prefix: 'gcr', images: ['gcr.io/distroless/static:nonroot'] }]
 */
export function suggestCopies(config: SuggestConfig, images: readonly ImageReference[]): CopySuggestion[] {
  const copies = config.copies ?? [];
  const byHost = new Map<string, Set<string>>();
  for (const image of images) {
    if (pullThroughUpstreamOf(image.host) !== undefined) continue; // a rule is the answer there, not a copy
    // An entry with platforms copies no digest as it is (core/image-ref/copy-routes.ts): listing it would not help.
    if (image.digest !== undefined && copies.some((c) => c.upstream === image.host && c.platforms !== undefined)) continue;
    const set = byHost.get(image.host) ?? new Set<string>();
    set.add(formatReference(image));
    byHost.set(image.host, set);
  }
  const taken = [...config.rules.map((r) => r.prefix), ...copies.map((c) => c.prefix)];
  const out: CopySuggestion[] = [];
  for (const host of [...byHost.keys()].sort()) {
    const list = [...byHost.get(host)!].sort();
    const index = copies.findIndex((c) => c.upstream === host);
    if (index >= 0) {
      out.push({ upstream: host, index, images: list });
    } else {
      const prefix = proposePrefix(host, taken);
      taken.push(prefix);
      out.push({ upstream: host, prefix, images: list });
    }
  }
  return out;
}

/** The suggestions as YAML a person pastes into the config: new entries under `copies:`, additions as commented lines. */
export function renderCopySuggestions(suggestions: readonly CopySuggestion[]): string {
  if (suggestions.length === 0) return '# every image of a registry the pull-through cache cannot serve is already copied\n';
  const lines: string[] = [];
  for (const s of suggestions.filter((x) => x.index !== undefined)) {
    lines.push(`# add to copies[${s.index}].images (${s.upstream}):`);
    lines.push(...s.images.map((i) => `      - ${i}`));
  }
  const fresh = suggestions.filter((x) => x.index === undefined);
  if (fresh.length > 0) {
    lines.push('copies:');
    for (const s of fresh) {
      lines.push(
        `  - prefix: ${s.prefix}`,
        `    upstream: ${/^[a-z0-9.-]+$/.test(s.upstream) ? s.upstream : JSON.stringify(s.upstream)}`,
        '    images:',
      );
      lines.push(...s.images.map((i) => `      - ${i}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
