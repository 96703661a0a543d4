/**
 * `ptc prewarm`: the prewarm Lambda's engine, run from a workstation or a pipeline, against the
 * config's ECR registry or any OCI registry (`--registry-url`).
 */
import { primaryTarget, PtcError, type PtcConfig } from '../../core';
import {
  ImageListError,
  MAX_IMAGE_LIST_BYTES,
  mergeImageLists,
  parseImageList,
  planTargets,
  prewarm,
  RegistryAuthError,
  registryHostOf,
  renderReport,
} from '../../core/prewarm';
import { loadManifestImages } from '../../engines/prewarm';
import { RegistryClient, type Credentials } from '../../registry';
import { InputReadError, readConfig, readInputFile, type CliIo } from '../io';
import type { RegisterCommand } from './types';

/** The options of `ptc prewarm`, as commander parses them. */
export interface PrewarmCliOptions {
  config?: string;
  images?: string;
  registryUrl?: string;
  username?: string;
  passwordStdin?: boolean;
  insecureHttp?: boolean;
  concurrency?: string;
  json?: boolean;
  /** The environment whose registry (and region, for S3/SSM image lists) to use. */
  environment?: string;
}

/** Bad use of the command's flags. */
export class PrewarmUsageError extends PtcError {}

/**
 * The registry base URL: `--registry-url` (scheme optional; plain HTTP only with
 * `--insecure-http`) or the HTTPS endpoint of the config's registry.
 */
export function registryBaseUrl(config: PtcConfig, opts: Pick<PrewarmCliOptions, 'registryUrl' | 'insecureHttp' | 'environment'>): string {
  if (opts.registryUrl === undefined) {
    if (opts.insecureHttp) throw new PrewarmUsageError('--insecure-http needs --registry-url (the ECR endpoint is HTTPS only)');
    return `https://${primaryTarget(config, opts.environment).registryHost}`;
  }
  const given = opts.registryUrl.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given);
  if (hasScheme && /^http:\/\//i.test(given) && !opts.insecureHttp) {
    throw new PrewarmUsageError(
      `--registry-url ${given} is plain HTTP, which sends the credentials in clear text; add --insecure-http to allow it`,
    );
  }
  if (hasScheme && /^https:\/\//i.test(given) && opts.insecureHttp) {
    throw new PrewarmUsageError(`--registry-url ${given} is HTTPS, but --insecure-http asks for plain HTTP; drop one of them`);
  }
  let url: URL;
  try {
    url = new URL(hasScheme ? given : `${opts.insecureHttp ? 'http' : 'https'}://${given}`);
  } catch {
    throw new PrewarmUsageError(
      `--registry-url "${given}" is not a registry address such as 127.0.0.1:5000 or https://registry.example.com`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PrewarmUsageError(`--registry-url "${given}" must be http(s)`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username || url.password) {
    throw new PrewarmUsageError(`--registry-url "${given}" must be a host and port only, without path, query or credentials`);
  }
  return url.origin;
}

/** `--concurrency N` or the config's `prewarm.concurrency`. */
export function concurrencyOf(config: PtcConfig, given: string | undefined): number {
  if (given === undefined) return config.prewarm.concurrency;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new PrewarmUsageError(`--concurrency must be a whole number from 1 to 64, got "${given}"`);
  return n;
}

/** The credentials of `--username` and `--password-stdin`. */
export async function credentialsOf(
  io: CliIo,
  opts: Pick<PrewarmCliOptions, 'username' | 'passwordStdin'>,
): Promise<Credentials | undefined> {
  if (opts.username === undefined && !opts.passwordStdin) return undefined;
  if (opts.username === undefined) throw new PrewarmUsageError('--password-stdin needs --username');
  if (!opts.passwordStdin) {
    throw new PrewarmUsageError(
      '--username needs --password-stdin (pipe the password, e.g. aws ecr get-login-password | ptc prewarm --username AWS --password-stdin)',
    );
  }
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  if (password === '') throw new PrewarmUsageError('--password-stdin read an empty password from standard input');
  return { username: opts.username, password };
}

/** The images: `prewarm.images`, then `--images FILE`, or else `prewarm.manifest` (S3/SSM). */
export async function imagesOf(io: CliIo, config: PtcConfig, file: string | undefined, environment?: string): Promise<string[]> {
  if (file !== undefined) {
    let text: string;
    try {
      // The 1 MiB limit holds while reading: a larger file (or /dev/zero) is refused, not read whole first.
      text = readInputFile(file, { cwd: io.cwd, limit: MAX_IMAGE_LIST_BYTES }).text;
    } catch (err) {
      if (!(err instanceof InputReadError)) throw err;
      throw new ImageListError(file, err.code !== undefined ? `cannot be read (${err.code})` : err.reason);
    }
    return mergeImageLists(config.prewarm.images, parseImageList(text, file));
  }
  const manifest = config.prewarm.manifest;
  if (manifest?.s3 === undefined && manifest?.ssmParameter === undefined) return [...config.prewarm.images];
  // Only a config with an external list needs the AWS SDK clients, so they load lazily.
  const region = primaryTarget(config, environment).region;
  const clients = {
    ...(manifest.s3 ? { s3: new (await import('@aws-sdk/client-s3')).S3Client({ region }) } : {}),
    ...(manifest.ssmParameter ? { ssm: new (await import('@aws-sdk/client-ssm')).SSMClient({ region }) } : {}),
  };
  try {
    return mergeImageLists(config.prewarm.images, await loadManifestImages(manifest, clients));
  } catch (err) {
    if (err instanceof ImageListError)
      throw new ImageListError(err.source, `${err.reason}; pass --images FILE to use a local list instead`);
    throw err;
  }
}

/**
 * `ptc prewarm [--config FILE] [--images FILE] [--registry-url URL] [--username U --password-stdin]
 * [--insecure-http] [--concurrency N] [--json]`: exits 1 when any image is not fully prewarmed.
 */
export const registerPrewarm: RegisterCommand = (program, io, state) => {
  program
    .command('prewarm')
    .description('fetch every manifest and blob of the critical images through the cache, so it holds them before anyone needs them')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('--images <file>', 'more images, one reference per line or a YAML/JSON list; used instead of prewarm.manifest (S3/SSM)')
    .option(
      '--registry-url <url>',
      "the registry to prewarm (default: the config's ECR registry); references still map to <prefix>/<path> by the config's rules",
    )
    .option('--username <user>', 'registry user name (ECR: AWS); the password comes from --password-stdin')
    .option('--password-stdin', 'read the registry password from standard input (ECR: aws ecr get-login-password)')
    .option('--insecure-http', 'talk plain HTTP to the --registry-url host, and only to it (local test registries only)')
    .option('--concurrency <n>', 'requests in flight at once (default: prewarm.concurrency, 8)')
    .option('--json', 'print the per-image results as JSON')
    .option(
      '-e, --environment <name>',
      'the environment whose registry to prewarm (default: the only one, or the top-level account/region)',
    )
    .action(async (opts: PrewarmCliOptions) => {
      const config = readConfig(io, opts.config);
      const baseUrl = registryBaseUrl(config, opts);
      const concurrency = concurrencyOf(config, opts.concurrency);
      const credentials = await credentialsOf(io, opts);
      const images = await imagesOf(io, config, opts.images, opts.environment);
      if (images.length === 0) {
        io.stderr('no images to prewarm: list them in prewarm.images, prewarm.manifest or --images FILE\n');
        if (opts.json)
          io.stdout(
            `${JSON.stringify({ registry: baseUrl, summary: { images: 0, ok: 0, missing: 0, denied: 0, failed: 0 }, results: [] }, null, 2)}\n`,
          );
        return;
      }
      const targets = planTargets(images, { config, registryHost: registryHostOf(baseUrl) });
      // --insecure-http allows plain HTTP to exactly the --registry-url host; a token realm elsewhere must be HTTPS.
      const plainHttpHosts = opts.insecureHttp ? [registryHostOf(baseUrl)] : [];
      const client = new RegistryClient({ baseUrl, concurrency, plainHttpHosts, ...(credentials ? { credentials } : {}) });
      let report;
      try {
        report = await prewarm(targets, client, { platforms: config.prewarm.platforms, concurrency });
      } catch (err) {
        if (err instanceof RegistryAuthError && credentials === undefined) {
          throw new RegistryAuthError(
            err.registry,
            `${err.reason}; pass --username and --password-stdin (ECR: aws ecr get-login-password | ptc prewarm --username AWS --password-stdin)`,
          );
        }
        throw err;
      } finally {
        client.close();
      }
      io.stdout(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
      if (report.summary.ok !== report.summary.images) state.code = 1;
    });
};
