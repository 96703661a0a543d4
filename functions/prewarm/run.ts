/**
 * One prewarm invocation: read the image list (config, then `prewarm.manifest`, or the images of
 * an on-demand request), get a registry password from ECR GetAuthorizationToken, and run the
 * shared engine against the private registry endpoint with Basic auth.
 */
import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { PtcConfig } from '../../core/config/schema';
import {
  ImageListError,
  mergeImageLists,
  planTargets,
  prewarm,
  registryHostOf,
  sdkErrorText,
  type ImageResult,
  type PrewarmSummary,
} from '../../core/prewarm';
import { loadManifestImages } from '../../engines/prewarm';
import { RegistryClient, type Credentials, type RegistryClientOptions } from '../../registry';
import { AuthorizationTokenError, PrewarmRequestError } from './errors';
import type { PrewarmLogger, PrewarmMetricName } from './telemetry';

/** What a prewarm run needs; the handler builds the clients once per container. */
export interface PrewarmDeps {
  readonly ecr: ECRClient;
  readonly s3?: S3Client;
  readonly ssm?: SSMClient;
  readonly config: Pick<PtcConfig, 'rules' | 'prewarm'>;
  readonly log: PrewarmLogger;
  /** Counters, published by the handler when the run ends. */
  readonly totals: Record<PrewarmMetricName, number>;
  /** Builds the registry client. @default new RegistryClient(options) */
  readonly createClient?: (options: RegistryClientOptions) => RegistryClient;
}

/** What the function returns (visible to on-demand invocations). */
export interface PrewarmInvocationResult {
  readonly registry?: string;
  readonly summary: PrewarmSummary;
  /** Results of the images that are not ok. */
  readonly problems: readonly Pick<ImageResult, 'image' | 'uri' | 'status' | 'reason'>[];
  /** Set when an external list could not be read. */
  readonly manifestError?: string;
}

/** Empty totals. */
export function newTotals(): Record<PrewarmMetricName, number> {
  return { ImagesOk: 0, ImagesMissing: 0, ImagesDenied: 0, ImagesFailed: 0, Failures: 0 };
}

/**
 * The images an invocation asks for: `undefined` for the configured list (schedule, `{}`), or
 * the `images` of an on-demand payload.
 * @throws PrewarmRequestError for a payload that is neither
 */
export function requestedImages(event: unknown): string[] | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  const e = event as Record<string, unknown>;
  if (e['detail-type'] !== undefined || e.source !== undefined) return undefined; // an EventBridge event (the schedule)
  if (e.images === undefined) return undefined;
  if (!Array.isArray(e.images) || e.images.length === 0 || e.images.some((i) => typeof i !== 'string' || i.trim() === '')) {
    throw new PrewarmRequestError('"images" must be a non-empty list of image references, such as {"images": ["nginx:1.27"]}');
  }
  return mergeImageLists(e.images.map((i: string) => i.trim()));
}

/**
 * Decodes GetAuthorizationToken's `authorizationToken` (base64 of `AWS:<password>`).
 * @throws AuthorizationTokenError when it is missing or malformed (never quoting it)
 */
export function decodeAuthorizationToken(token: string | undefined): Credentials {
  if (!token) throw new AuthorizationTokenError('GetAuthorizationToken returned no authorizationToken');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1)
    throw new AuthorizationTokenError('GetAuthorizationToken returned a token that is not base64 of "user:password"');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function imageList(event: unknown, deps: PrewarmDeps): Promise<{ images: string[]; manifestError?: string }> {
  const requested = requestedImages(event);
  if (requested !== undefined) return { images: requested };
  try {
    // The commands are imported statically like every client of the bundle (the SDK is external,
    // and import() does not search the Lambda runtime's module path).
    const external = await loadManifestImages(deps.config.prewarm.manifest, {
      ...(deps.s3 ? { s3: deps.s3 } : {}),
      ...(deps.ssm ? { ssm: deps.ssm } : {}),
      commands: { GetObjectCommand, GetParameterCommand },
    });
    return { images: mergeImageLists(deps.config.prewarm.images, external) };
  } catch (err) {
    if (!(err instanceof ImageListError)) throw err;
    // The configured images are still prewarmed; the unreadable list counts as a failure.
    deps.log.error('prewarm image list unreadable', { source: err.source, reason: err.reason });
    deps.totals.Failures++;
    return { images: [...deps.config.prewarm.images], manifestError: err.message };
  }
}

const METRIC_OF = { ok: 'ImagesOk', missing: 'ImagesMissing', denied: 'ImagesDenied', failed: 'ImagesFailed' } as const;

/**
 * Runs one invocation.
 * @throws PrewarmRequestError for a malformed on-demand payload (the handler logs and drops it)
 * @throws RegistryUnreachableError / RegistryAuthError when the registry cannot be used (retried by Lambda)
 */
export async function runPrewarm(event: unknown, deps: PrewarmDeps): Promise<PrewarmInvocationResult> {
  const { images, manifestError } = await imageList(event, deps);
  const empty: PrewarmSummary = { images: 0, ok: 0, missing: 0, denied: 0, failed: 0 };
  if (images.length === 0) {
    deps.log.warn('no images to prewarm: list them in prewarm.images or prewarm.manifest');
    return { summary: empty, problems: [], ...(manifestError ? { manifestError } : {}) };
  }
  let auth;
  try {
    auth = (await deps.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  } catch (err) {
    throw new AuthorizationTokenError(`GetAuthorizationToken failed: ${sdkErrorText(err)}`);
  }
  if (!auth?.proxyEndpoint) throw new AuthorizationTokenError('GetAuthorizationToken returned no proxyEndpoint');
  const credentials = decodeAuthorizationToken(auth.authorizationToken);
  const { concurrency, platforms } = deps.config.prewarm;
  const options: RegistryClientOptions = { baseUrl: auth.proxyEndpoint, credentials, concurrency };
  const client = deps.createClient ? deps.createClient(options) : new RegistryClient(options);
  const targets = planTargets(images, { config: deps.config, registryHost: registryHostOf(auth.proxyEndpoint) });
  try {
    const report = await prewarm(targets, client, {
      platforms,
      concurrency,
      onResult: (r) => {
        deps.totals[METRIC_OF[r.status]]++;
        if (r.status !== 'ok') deps.totals.Failures++;
        const attributes = {
          image: r.image,
          ...(r.uri ? { uri: r.uri } : {}),
          ...(r.repositoryName ? { repositoryName: r.repositoryName } : {}),
          ...(r.prefix ? { prefix: r.prefix } : {}),
          ...(r.upstream ? { upstream: r.upstream } : {}),
          status: r.status,
          ...(r.reason ? { reason: r.reason } : {}),
          manifests: r.manifests,
          blobs: r.blobs,
          bytes: r.bytes,
          redirects: r.redirects,
        };
        if (r.status === 'ok') deps.log.info('image prewarmed', attributes);
        else deps.log.warn(`image not prewarmed: ${r.status}`, attributes);
      },
    });
    deps.log.info('prewarm finished', { registry: report.registry, ...report.summary });
    return {
      registry: report.registry,
      summary: report.summary,
      problems: report.results
        .filter((r) => r.status !== 'ok')
        .map((r) => ({ image: r.image, status: r.status, ...(r.uri ? { uri: r.uri } : {}), ...(r.reason ? { reason: r.reason } : {}) })),
      ...(manifestError ? { manifestError } : {}),
    };
  } catch (err) {
    // The registry could not be used at all: every image counts as failed, and Lambda retries.
    deps.totals.ImagesFailed += images.length;
    deps.totals.Failures += images.length;
    deps.log.error('prewarm could not start', { registry: client.baseUrl, reason: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    client.close();
  }
}
