/**
 * Decides the new values of an image site's keys, and proves them: a site is rewritten only when
 * composing its image from the new values (as the chart's template does) gives exactly what the
 * resolver makes of the image composed from the old ones. Tags and digests are never edited; a
 * tag or digest written inside a name stays where it is.
 *
 * - A site of its own: its set registry keys get the cache host and its name the cache path; with
 *   no registry key, the name gets the whole cache name.
 * - Sites under a chart-wide registry (`global.imageRegistry`, ...) move together: the global and
 *   every set registry key get the cache host, each name its cache path; if one of them cannot move,
 *   or the global may also apply to an image ptc cannot compose, none does ("blocked").
 * - Sites under a shared prefix (`hub`, `imageRegistry` + `imageNamespace`) keep their names: the
 *   outermost prefix part gets whatever makes every name (and a probe name standing for the names
 *   the chart's templates add) land on its cache name; otherwise nothing moves.
 */
import type { Scalar } from 'yaml';
import { InvalidReferenceError, formatReference, parseReference, type Resolution } from '../../../core';
import type { RewriteCollector } from '../collector';
import type { ImageChange, Resolve } from '../types';
import { compose, splitName, type ImageSite, type PrefixGroup, type Unsupported, type ValueOf } from './sites';
import type { Recognized } from './recognize';
import type { Slot, Source } from './tree';

type Assignment = readonly [Slot, string];

/** The planned new values of one document, checked for conflicts (one scalar, one new value). */
class Planned {
  /** New values by scalar, with the text the scalar's range points into. */
  readonly values = new Map<Scalar, { value: string; base: Source }>();
  private readonly positioned: { at: number; change: ImageChange }[] = [];

  /** Records a change at the position of the value it is about, so changes list in file order. */
  add(slot: Slot, change: ImageChange): void {
    const at = slot.base === undefined || slot.node?.range == null ? Number.MAX_SAFE_INTEGER : slot.base.offset + slot.node.range[0];
    this.positioned.push({ at, change });
  }

  /** The changes, in the order of the file. */
  get changes(): ImageChange[] {
    return [...this.positioned].sort((a, b) => a.at - b.at).map((p) => p.change);
  }

  valueOf(extra: ReadonlyMap<Scalar, string> = new Map()): ValueOf {
    return (slot) => {
      if (slot === undefined) return undefined;
      if (slot.node !== undefined) {
        const v = extra.get(slot.node) ?? this.values.get(slot.node)?.value;
        if (v !== undefined) return v === '' ? undefined : v;
      }
      return slot.value;
    };
  }

  /** Commits assignments unless one gives a scalar another value than already planned (a shared anchor). */
  commit(assignments: readonly Assignment[]): string | undefined {
    for (const [slot, value] of assignments) {
      if (slot.node === undefined || slot.base === undefined) return `${slot.path} is not written in the file`;
      const planned = this.values.get(slot.node)?.value;
      if (planned !== undefined && planned !== value)
        return `${slot.path} is shared (YAML anchor or merge key) with an image that needs "${planned}" there`;
    }
    for (const [slot, value] of assignments) this.values.set(slot.node!, { value, base: slot.base! });
    return undefined;
  }
}

/** The name of an output reference without tag and digest. */
function nameOf(output: string): string {
  return splitName(output).name;
}

function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  try {
    return formatReference(parseReference(a)) === formatReference(parseReference(b));
  } catch (err) {
    if (err instanceof InvalidReferenceError) return false;
    throw err;
  }
}

interface Member {
  site: ImageSite;
  original: string;
  resolution: Resolution | undefined;
}

/** Plans and proves the rewrite of one document's image sites. */
export class HelmPlanner {
  readonly planned = new Planned();

  constructor(
    private readonly collector: RewriteCollector,
    private readonly resolve: Resolve,
  ) {}

  private unsupported(path: string, reference: string, message: string): void {
    this.collector.findings.push({ location: path, reference, reason: 'unsupported', message: `${reference} left unchanged: ${message}` });
  }

  /** Proves assignments for members and commits them with their changes; reports when the proof fails. */
  private prove(members: readonly Member[], assignments: readonly Assignment[], shared: readonly Slot[]): boolean {
    const extra = new Map(assignments.map(([slot, value]) => [slot.node!, value] as const));
    const after = this.planned.valueOf(extra);
    for (const m of members) {
      const composed = compose(m.site, after);
      if (!same(composed, m.resolution!.output)) {
        for (const other of members) {
          this.unsupported(
            other.site.path,
            other.original,
            `ptc cannot set these values so that the chart renders ${m.resolution!.output} for ${m.site.path} (it would render ${composed ?? 'nothing'})`,
          );
        }
        return false;
      }
    }
    const conflict = this.planned.commit(assignments);
    if (conflict !== undefined) {
      for (const m of members) this.unsupported(m.site.path, m.original, conflict);
      return false;
    }
    const before = this.planned.valueOf(new Map());
    for (const slot of shared) this.planned.add(slot, { location: slot.path, from: slot.value ?? '', to: before(slot) ?? '' });
    for (const m of members) this.planned.add(m.site.name, { location: m.site.path, from: m.original, to: compose(m.site, before)! });
    return true;
  }

  private member(site: ImageSite, silent = false): Member | undefined {
    const original = compose(site, (s) => s?.value);
    if (original === undefined) return undefined;
    const resolution = silent ? this.quiet(original) : this.collector.lookup(original, site.path);
    return { site, original, resolution };
  }

  private quiet(reference: string): Resolution | undefined {
    try {
      return this.resolve(reference);
    } catch (err) {
      if (err instanceof InvalidReferenceError) return undefined;
      throw err;
    }
  }

  /** Assignments for a site whose registry keys take the host and whose name takes the path. */
  private splitAssignments(m: Member, host: string, repository: string, withRegistry: boolean): Assignment[] {
    const { suffix } = splitName(m.site.name.value!);
    const out: Assignment[] = m.site.ownRegistries.map((s) => [s, host] as const);
    out.push([m.site.name, `${withRegistry ? repository : `${host}/${repository}`}${suffix}`]);
    return out;
  }

  private single(site: ImageSite): void {
    const m = this.member(site);
    if (m?.resolution?.status !== 'resolved') return;
    if (site.ownRegistries.length > 0) {
      const target = parseReference(m.resolution.output);
      this.prove([m], this.splitAssignments(m, target.host, target.repository, true), []);
    } else {
      const { suffix } = splitName(site.name.value!);
      this.prove([m], [[site.name, nameOf(m.resolution.output) + suffix]], []);
    }
  }

  /**
   * Sites under chart-wide registries: all move to one host, or none does. `unproven` are images
   * the registries may also apply to that ptc cannot compose (reported on their own): while one
   * exists, the registries stay, since moving them would change that image unproven.
   */
  private global(globals: readonly Slot[], sites: readonly ImageSite[], unproven: readonly Unsupported[]): void {
    const members = sites.map((s) => this.member(s)).filter((m): m is Member => m !== undefined);
    const resolved = members.filter((m) => m.resolution?.status === 'resolved');
    if (resolved.length === 0) return;
    const targets = resolved.map((m) => parseReference(m.resolution!.output));
    const host = targets[0]!.host;
    const label = globals.map((g) => `${g.path} ("${g.value}")`).join(' and ');
    if (unproven.length > 0) {
      const names = unproven.map((u) => u.path);
      const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      for (const m of resolved) {
        this.collector.findings.push({
          location: m.site.path,
          reference: m.original,
          reason: 'blocked',
          message: `${m.original} left unchanged: ${label} also applies to ${shown}, whose image ptc cannot prove (reported above), so it stays`,
        });
      }
      return;
    }
    const blocker = members.find((m) => m.resolution?.status !== 'resolved') ?? resolved.find((_, i) => targets[i]!.host !== host);
    if (blocker !== undefined) {
      const why = (other: Member): string => {
        const r = other.resolution;
        if (r === undefined) return 'is not a valid reference';
        if (r.status === 'resolved') return `moves to another registry (${parseReference(r.output).host})`;
        return r.status === 'uncovered' ? 'no rule covers' : 'already points there';
      };
      for (const m of resolved) {
        const other = m === blocker ? resolved[0]! : blocker;
        this.collector.findings.push({
          location: m.site.path,
          reference: m.original,
          reason: 'blocked',
          message: `${m.original} left unchanged: ${label} also serves ${other.site.path} (${other.original}), which ${why(other)}`,
        });
      }
      return;
    }
    const assignments: Assignment[] = globals.map((g) => [g, host] as const);
    resolved.forEach((m, i) => assignments.push(...this.splitAssignments(m, host, targets[i]!.repository, true)));
    this.prove(resolved, assignments, globals);
  }

  /** Sites under a shared prefix: the outermost part moves so that every name lands on its cache name. */
  private prefixed(group: PrefixGroup, sites: readonly ImageSite[]): void {
    const head = group.parts[0]!;
    const probeSites = group.probes.map((probe): ImageSite => ({
      path: group.label,
      kind: 'prefixed',
      name: { path: `${group.label} (an image the chart names)`, value: probe, shared: false },
      ownRegistries: [],
      globalRegistries: [],
      prefix: group,
    }));
    const members = sites.map((s) => this.member(s)).filter((m): m is Member => m !== undefined);
    const probes = probeSites.map((s) => this.member(s, members.length > 0)).filter((m): m is Member => m !== undefined);
    const all = [...members, ...probes];
    const moving = all.filter((m) => m.resolution?.status === 'resolved');
    if (moving.length === 0) return;
    const stuck = all.find((m) => m.resolution?.status !== 'resolved');
    const candidates = new Set<string>();
    for (const m of moving) {
      const rest = [...group.parts.slice(1).map((p) => p.value), splitName(m.site.name.value!).name]
        .filter((v) => v !== undefined)
        .join('/');
      const target = nameOf(m.resolution!.output);
      candidates.add(target.endsWith(`/${rest}`) ? target.slice(0, -rest.length - 1) : `\u0000${target}`);
    }
    const [value] = [...candidates];
    if (stuck !== undefined || candidates.size !== 1 || value!.startsWith('\u0000')) {
      const reason =
        stuck !== undefined
          ? `${stuck.site.path} (${stuck.original}) under the same ${group.label} cannot move (${stuck.resolution?.status ?? 'invalid'})`
          : `no one value of ${head.path} puts every image under it on its cache name`;
      for (const m of members.length > 0 ? moving.filter((x) => members.includes(x)) : moving)
        this.unsupported(m.site.path, m.original, reason);
      return;
    }
    this.prove(moving, [[head, value!]], [head]);
  }

  /** Plans every site of a document. */
  plan(rec: Recognized): void {
    for (const u of rec.unsupported) this.unsupported(u.path, u.path, u.message);
    const byGlobal = new Map<string, { globals: readonly Slot[]; sites: ImageSite[]; unproven: Unsupported[] }>();
    const groupOf = (globals: readonly Slot[]) => {
      const key = globals.map((g) => g.path).join('+');
      const group = byGlobal.get(key) ?? { globals, sites: [], unproven: [] };
      byGlobal.set(key, group);
      return group;
    };
    for (const u of rec.unsupported) if (u.globals !== undefined && u.globals.length > 0) groupOf(u.globals).unproven.push(u);
    const byPrefix = new Map<PrefixGroup, ImageSite[]>(rec.prefixes.map((p) => [p, []]));
    for (const site of rec.sites) {
      if (site.prefix !== undefined) byPrefix.get(site.prefix)?.push(site);
      else if (site.globalRegistries.length > 0) groupOf(site.globalRegistries).sites.push(site);
      else this.single(site);
    }
    for (const { globals, sites, unproven } of byGlobal.values()) this.global(globals, sites, unproven);
    for (const [group, sites] of byPrefix) if (group.parts[0]?.node !== undefined) this.prefixed(group, sites);
  }
}
