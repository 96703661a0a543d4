/**
 * What the prewarm engine needs from an OCI registry, as shapes only. The engine (`./engine.ts`)
 * takes a client of this shape as an argument; the HTTP client that implements it lives above core,
 * in registry/ (`RegistryClient`), so core does no network I/O and tests can hand the engine a fake.
 */

/** A fetched manifest. */
export interface FetchedManifest {
  /** The manifest's digest, computed from the body. */
  readonly digest: string;
  /** The response's `Content-Type`. */
  readonly contentType?: string;
  readonly body: Buffer;
}

/** What touching a blob did. */
export interface TouchedBlob {
  /** Bytes streamed (0 when the registry redirected). */
  readonly bytes: number;
  /** The registry answered with a redirect (ECR: to S3) and the client stopped there. */
  readonly redirected: boolean;
}

/** The registry operations prewarming uses; `RegistryClient` (registry/client.ts) implements them. */
export interface PrewarmRegistry {
  /** The registry's base URL, without a trailing slash (reported with the results). */
  readonly baseUrl: string;
  /** Scrubs the client's credentials and tokens from text built from the registry's answers. */
  readonly redactor: { redact(text: string): string };
  /** `GET /v2/`: throws when the registry cannot be used at all. */
  ping(): Promise<void>;
  /** `GET` a manifest by tag or digest. */
  getManifest(repository: string, reference: string): Promise<FetchedManifest>;
  /** `GET` a blob, left at the registry's redirect or streamed to nowhere with its digest checked. */
  touchBlob(repository: string, digest: string, size: number): Promise<TouchedBlob>;
}
