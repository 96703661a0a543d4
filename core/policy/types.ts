/**
 * Shapes the policy modules share, and nothing else: no computation, no import of a module that
 * computes. `settings.ts` computes `EffectiveSettings`, `pull-principals.ts` and `lifecycle.ts`
 * read it; with the shape here neither imports the other back (docs/architecture.md, "No cycles").
 */

/** ECR's tag mutability settings. */
export type ImageTagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

/** Settings every repository under one prefix should have (computed by `effectiveSettings`). */
export interface EffectiveSettings {
  /** `untaggedExpireDays` is absent unless the config sets it (no untagged rule then). */
  readonly lifecycle: {
    readonly untaggedExpireDays?: number;
    readonly keepLastTagged: number;
    /** ECR's native archive rule (`sinceImagePulled` -> archive); absent unless the config sets it. */
    readonly archiveUnpulledDays?: number;
    /** Expiry of archived images (`sinceImageTransitioned`); only with `archiveUnpulledDays`. */
    readonly expireArchivedDays?: number;
    /**
     * The prefix's rule lists `seeds`: a highest-priority rule keeps every image tagged `ptc-seed-*`
     * (core/image-ref/seeds.ts); absent otherwise.
     */
    readonly protectSeeds?: true;
  };
  readonly pullAccounts: readonly string[];
  readonly pullOrganizations: readonly string[];
  /** OU paths (`o-.../r-.../ou-.../`, normalized with a trailing slash) whose accounts, child OUs included, may pull. */
  readonly pullOrganizationalUnits: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly scanOnPush: boolean;
  readonly imageTagMutability: ImageTagMutability;
  /** The `WILDCARD` tag patterns excepted from `imageTagMutability`; empty unless it is a `*_WITH_EXCLUSION` value. */
  readonly imageTagMutabilityExclusionFilters: readonly string[];
  readonly encryption: { readonly type: 'AES256' | 'KMS'; readonly kmsKeyArn?: string };
}
