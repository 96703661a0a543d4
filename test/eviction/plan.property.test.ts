import fc from 'fast-check';
import { compileProtect, NO_PINS, planRepository, type ImageRecord } from '../../core/eviction';
import { DAY, digest, NOW, OCI_INDEX, OCI_MANIFEST, COSIGN_SIG } from './fixtures';

/**
 * Random repositories: manifests, indexes listing earlier images (manifests or indexes, tagged or
 * not, shared between indexes), referrers of earlier images or of gone ones; random tags, pushes
 * and pulls; each index's children read or not.
 */
const imageSpec = fc.record({
  kind: fc.constantFrom('manifest', 'manifest', 'index', 'referrer'),
  tagged: fc.boolean(),
  pushedDaysAgo: fc.integer({ min: 0, max: 400 }),
  pulledDaysAgo: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
  picks: fc.array(fc.nat(), { maxLength: 4 }),
  childrenRead: fc.boolean(),
  subjectGone: fc.boolean(),
});

interface Built {
  images: ImageRecord[];
  /** The references as they truly are: an index's manifests, a referrer's subject. */
  truth: Map<string, string[]>;
  children: Map<string, string[]>;
}

interface Spec {
  kind: string;
  tagged: boolean;
  pushedDaysAgo: number;
  pulledDaysAgo: number | undefined;
  picks: number[];
  childrenRead: boolean;
  subjectGone: boolean;
}

function build(specs: readonly Spec[]): Built {
  const images: ImageRecord[] = [];
  const truth = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  specs.forEach((s, i) => {
    const d = digest(`image-${i}`);
    const earlier = images.filter((x) => x.subjectManifestDigest === undefined);
    const base = {
      imageDigest: d,
      imagePushedAt: new Date(NOW.getTime() - s.pushedDaysAgo * DAY),
      ...(s.pulledDaysAgo !== undefined ? { lastRecordedPullTime: new Date(NOW.getTime() - s.pulledDaysAgo * DAY) } : {}),
      ...(s.tagged ? { imageTags: [`t${i}`] } : {}),
      imageSizeInBytes: 1000 + i,
    };
    if (s.kind === 'index' && earlier.length > 0) {
      const listed = [...new Set(s.picks.map((p) => earlier[p % earlier.length]!.imageDigest))];
      images.push({ ...base, imageManifestMediaType: OCI_INDEX });
      truth.set(d, listed);
      if (s.childrenRead) children.set(d, listed);
    } else if (s.kind === 'referrer' && (images.length > 0 || s.subjectGone)) {
      const subject = s.subjectGone || images.length === 0 ? digest(`gone-${i}`) : images[(s.picks[0] ?? 0) % images.length]!.imageDigest;
      images.push({ ...base, imageManifestMediaType: OCI_MANIFEST, artifactMediaType: COSIGN_SIG, subjectManifestDigest: subject });
      truth.set(d, [subject]);
    } else {
      images.push({ ...base, imageManifestMediaType: OCI_MANIFEST });
    }
  });
  return { images, truth, children };
}

describe('planRepository, for random repositories and pull histories', () => {
  test('nothing kept ever refers to a deleted manifest, nothing recently used is deleted, and referrers go before what they refer to', () => {
    fc.assert(
      fc.property(
        fc.array(imageSpec, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 1, max: 365 }),
        fc.boolean(),
        (specs, unpulledDays, protectSome) => {
          const { images, truth, children } = build(specs);
          const protect = compileProtect(protectSome ? ['*:t1', '*:t4'] : []);
          const plan = planRepository(
            { repositoryName: 'quay/org/app', images, children },
            { unpulledDays, protect, pins: NO_PINS, now: NOW },
          );
          const deleted = new Set([...plan.rounds.flat(), ...plan.unordered]);
          const unordered = new Set(plan.unordered);
          const round = new Map<string, number>();
          plan.rounds.forEach((r, k) => r.forEach((d) => round.set(d, k)));
          for (const image of images) {
            const refs = truth.get(image.imageDigest) ?? [];
            if (!deleted.has(image.imageDigest)) {
              for (const r of refs) expect(deleted.has(r)).toBe(false);
            } else {
              const used = Math.max(image.imagePushedAt!.getTime(), image.lastRecordedPullTime?.getTime() ?? 0);
              expect(NOW.getTime() - used).toBeGreaterThan(unpulledDays * DAY);
              if (protectSome) expect(image.imageTags?.some((t) => t === 't1' || t === 't4')).not.toBe(true);
              for (const r of refs) {
                if (!deleted.has(r) || unordered.has(r)) continue;
                // Something ordered never waits for something unordered (deleted last).
                expect(unordered.has(image.imageDigest)).toBe(false);
                expect(round.get(r)!).toBeGreaterThan(round.get(image.imageDigest)!);
              }
            }
          }
          // Every deleted digest is accounted for exactly once in the freed bytes.
          const freed = plan.groups.reduce((n, g) => n + g.freedBytes, 0);
          expect(freed).toBe(
            images
              .filter((i) => deleted.has(i.imageDigest) && i.imageManifestMediaType !== OCI_INDEX)
              .reduce((n, i) => n + (i.imageSizeInBytes ?? 0), 0),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
