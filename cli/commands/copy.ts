/**
 * `ptc copy`: the copy engine (engines/copy) run from a workstation or CI. Copies the images of
 * the config's `copies` list (and `--images FILE`) from their upstream registries into the
 * config's ECR registry, or `--registry-url`, and seeds the rules' pinned digests (`rules[N].seeds`) into
 * their cache repositories (engines/copy/seed.ts). Target credentials: `--username` and
 * `--password-stdin`, else the ECR token of the caller's AWS credentials (only ever sent to the
 * config's own ECR registry). Upstream credentials: each entry's secret, read from Secrets Manager.
 */
import { managedPrefixFor, primaryTarget, PtcError, type PtcConfig } from '../../core';
import { copyJobs } from '../../core/copy/jobs';
import { seedJobs, type SeedJob } from '../../core/copy/seeds';
import { ImageListError, MAX_IMAGE_LIST_BYTES, parseImageList, RegistryAuthError, registryHostOf } from '../../core/prewarm';
import type { Credentials } from '../../registry';
import { copyImages, RegistrySession, summarizeCopies, type CopyResult } from '../../engines/copy';
import { ecrCredentials } from '../../engines/copy/credentials';
import { externalImages } from '../../engines/copy/image-lists';
import { upstreamSessions } from '../../engines/copy/sources';
import { seedImages } from '../../engines/copy/seed';
import { seedGuard, seedSessions } from '../../engines/copy/seed-sources';
import { InputReadError, readConfig, readInputFile, type CliIo } from '../io';
import { credentialsOf, registryBaseUrl } from './prewarm';
import type { RegisterCommand } from './types';

/** The options of `ptc copy`, as commander parses them. */
interface CopyCliOptions {
  config?: string;
  images?: string;
  registryUrl?: string;
  username?: string;
  passwordStdin?: boolean;
  caFile?: string;
  dryRun?: boolean;
  json?: boolean;
  concurrency?: string;
  environment?: string;
  mount?: boolean;
}

/** Bad use of the command's flags. */
export class CopyUsageError extends PtcError {}

function readImages(io: CliIo, file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    return parseImageList(readInputFile(file, { cwd: io.cwd, limit: MAX_IMAGE_LIST_BYTES }).text, file);
  } catch (err) {
    if (!(err instanceof InputReadError)) throw err;
    throw new ImageListError(file, err.code !== undefined ? `cannot be read (${err.code})` : err.reason);
  }
}

/**
 * The images of the entries' `manifest` lists (S3/SSM), read as the copy-images Lambda reads them,
 * unless `--images FILE` was given (used instead, as `ptc prewarm` does). A list that cannot be read,
 * or an image of it on another host, is a failed result naming the list; the rest still copy.
 */
async function listedImages(config: PtcConfig, opts: CopyCliOptions): Promise<{ images: string[]; failed: CopyResult[] }> {
  const entries = config.copies.filter((c) => c.manifest?.s3 !== undefined || c.manifest?.ssmParameter !== undefined);
  if (opts.images !== undefined || entries.length === 0) return { images: [], failed: [] };
  // Only a config with an external list needs these SDK clients, so they load lazily.
  const region = primaryTarget(config, opts.environment).region;
  const s3 = entries.some((c) => c.manifest?.s3 !== undefined);
  const ssm = entries.some((c) => c.manifest?.ssmParameter !== undefined);
  const { images, problems } = await externalImages(entries, {
    ...(s3 ? { s3: new (await import('@aws-sdk/client-s3')).S3Client({ region }) } : {}),
    ...(ssm ? { ssm: new (await import('@aws-sdk/client-ssm')).SSMClient({ region }) } : {}),
  });
  const failed = problems.map((p) => ({
    image: p.image,
    target: '',
    status: 'failed' as const,
    reason: `${p.reason}; pass --images FILE to use a local list instead`,
    notes: [],
    blobs: { sent: 0, present: 0 },
    bytes: 0,
  }));
  return { images, failed };
}

/** The most a --ca-file may hold: a bundle of many PEM certificates is far smaller. */
const MAX_CA_BYTES = 1024 * 1024;

function readCa(io: CliIo, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readInputFile(file, { cwd: io.cwd, limit: MAX_CA_BYTES }).text;
  } catch (err) {
    if (!(err instanceof InputReadError)) throw err;
    throw new CopyUsageError(`--ca-file ${file}: ${err.code !== undefined ? `cannot be read (${err.code})` : err.reason}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new CopyUsageError(`--ca-file ${file}: holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  return text;
}

/** The target's credentials: the flags, else the ECR token, which goes only to the config's own ECR registry. */
async function targetCredentials(io: CliIo, config: PtcConfig, opts: CopyCliOptions, targetHost: string): Promise<Credentials | undefined> {
  const given = await credentialsOf(io, opts);
  if (given !== undefined) return given;
  const target = primaryTarget(config, opts.environment);
  if (targetHost !== target.registryHost) return undefined;
  const { ECRClient } = await import('@aws-sdk/client-ecr');
  return ecrCredentials(new ECRClient({ region: target.region }));
}

/**
 * The seeds that may go to the target: all of them for a `--registry-url` elsewhere; for the
 * config's own ECR registry, those whose cache repository's lifecycle policy keeps `ptc-seed-*`
 * tags (or has no policy yet), the others refused with the reason.
 */
async function guardSeeds(
  config: PtcConfig,
  opts: CopyCliOptions,
  targetHost: string,
  all: SeedJob[],
): Promise<{ seeds: SeedJob[]; refused: CopyResult[] }> {
  const target = primaryTarget(config, opts.environment);
  if (all.length === 0 || targetHost !== target.registryHost) return { seeds: all, refused: [] };
  const { ECRClient } = await import('@aws-sdk/client-ecr');
  const problems = await seedGuard(new ECRClient({ region: target.region }), all);
  const refused = all
    .filter((j) => problems.has(j.targetRepository))
    .map((j) => ({
      image: j.image,
      target: `${targetHost}/${j.targetRepository}@${j.digest!}`,
      status: 'failed' as const,
      reason: `not seeded: ${j.targetRepository}: ${problems.get(j.targetRepository)!}; deploy the stack with rules[${j.ruleIndex}].seeds and run ptc reconcile (the seed rule goes first) or put it there yourself (docs/copy.md, "Seeding pinned digests")`,
      notes: [],
      blobs: { sent: 0, present: 0 },
      bytes: 0,
    }));
  return { seeds: all.filter((j) => !problems.has(j.targetRepository)), refused };
}

/** One line per image for people. */
function renderResult(r: CopyResult, dryRun: boolean): string {
  const verb = r.status === 'copied' && dryRun ? 'would copy' : r.status;
  const head =
    r.status === 'failed'
      ? `failed    ${r.image}: ${r.reason}`
      : `${verb.padEnd(9)} ${r.image} -> ${r.target}${r.digest && !r.target.endsWith(r.digest) ? ` (${r.digest})` : ''}`;
  return [head, ...r.notes.filter((n) => !n.startsWith('dry run')).map((n) => `          ${n}`)].join('\n');
}

/**
 * `ptc copy [--config FILE] [--images FILE] [--registry-url URL] [--username U --password-stdin]
 * [--ca-file PEM] [--dry-run] [--json] [--concurrency N]`: exits 1 when any image failed.
 */
export const registerCopy: RegisterCommand = (program, io, state) => {
  program
    .command('copy')
    .description("copy the images of the config's copies list from registries the pull-through cache cannot serve into the registry")
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option(
      '--images <file>',
      'more images, one reference per line or a YAML/JSON list; each must be on a copies upstream; used instead of copies[N].manifest (S3/SSM)',
    )
    .option('--registry-url <url>', "the target registry (default: the config's ECR registry)")
    .option('--username <user>', 'target registry user name (ECR: AWS); the password comes from --password-stdin')
    .option(
      '--password-stdin',
      "read the target registry password from standard input (default: the ECR token of your AWS credentials, for the config's ECR registry only)",
    )
    .option('--ca-file <pem>', "certificate authorities to trust besides the system's, for registries with a private CA")
    .option('--dry-run', 'read only: say what would be copied, without a single write request')
    .option('--json', 'print one result per image as JSON (status copied, unchanged or failed, with its reason)')
    .option('--concurrency <n>', 'images copied at once (1 to 16, default 4)')
    .option('--no-mount', 'send every blob, never mount one this run already pushed into another copy repository (docs/copy.md)')
    .option(
      '-e, --environment <name>',
      'the environment whose registry to copy into (default: the only one, or the top-level account/region)',
    )
    .action(async (opts: CopyCliOptions) => {
      const config = readConfig(io, opts.config);
      const concurrency = opts.concurrency === undefined ? 4 : Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
        throw new CopyUsageError(`--concurrency must be a whole number from 1 to 16, got "${opts.concurrency}"`);
      if (opts.registryUrl !== undefined && /^http:\/\//i.test(opts.registryUrl.trim())) {
        throw new CopyUsageError(
          `--registry-url ${opts.registryUrl.trim()} is plain HTTP; ptc copy sends credentials and talks HTTPS only (use --ca-file for a private CA)`,
        );
      }
      const baseUrl = registryBaseUrl(config, opts);
      const targetHost = registryHostOf(baseUrl);
      const listed = await listedImages(config, opts);
      const { jobs, rejected } = copyJobs(config, [...readImages(io, opts.images), ...listed.images]);
      const allSeeds = seedJobs(config);
      if (config.copies.length === 0 && allSeeds.length === 0)
        io.stderr('no copies in the config: list registries the pull-through cache cannot serve under "copies" (docs/copy.md)\n');
      const ca = readCa(io, opts.caFile);
      const credentials = await targetCredentials(io, config, opts, targetHost);
      const region = primaryTarget(config, opts.environment).region;
      const secrets = async () => new (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient({ region });
      // Upstream sessions first: a secret that cannot be read stops the run before any request to the target.
      const sources =
        jobs.length === 0
          ? new Map<string, RegistrySession>()
          : await upstreamSessions(config.copies, { secrets, concurrency: concurrency * 2, ...(ca ? { ca } : {}) });
      // Seeds: the config's own ECR registry is checked first (a lifecycle policy that could expire a seed refuses it).
      const { seeds, refused } = await guardSeeds(config, opts, targetHost, allSeeds);
      if (seeds.length > 0) {
        let seeded: Map<string, RegistrySession>;
        try {
          seeded = await seedSessions(config.rules, { secrets, concurrency: concurrency * 2, ...(ca ? { ca } : {}) });
        } catch (err) {
          for (const s of sources.values()) s.close();
          throw err;
        }
        for (const [host, session] of seeded) if (!sources.has(host)) sources.set(host, session);
      }
      const target = new RegistrySession({
        baseUrl,
        concurrency: concurrency * 2,
        ...(ca ? { ca } : {}),
        ...(credentials ? { credentials } : {}),
      });
      let results: CopyResult[];
      try {
        if (jobs.length + seeds.length > 0) {
          try {
            await target.ping();
          } catch (err) {
            if (err instanceof RegistryAuthError && credentials === undefined) {
              throw new RegistryAuthError(
                err.registry,
                `${err.reason}; pass --username and --password-stdin (the ECR token of your AWS credentials is sent only to the config's ECR registry)`,
              );
            }
            throw err;
          }
        }
        // Progress on a terminal only: one line, rewritten as images finish (the results follow on stdout).
        const terminal = !opts.json && process.stderr.isTTY === true;
        const total = jobs.length + seeds.length;
        let done = 0;
        const run = {
          target,
          targetHost,
          source: (host: string) => sources.get(host)!,
          concurrency,
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.mount === false ? { mount: false } : {}),
          // Blobs are lent only by copy repositories: ECR never mounts from a pull-through cache repository,
          // and seeds land in those (docs/copy.md, "Cross-repository blob mounting").
          mountFrom: (repository: string) => managedPrefixFor(config, repository)?.kind === 'copy',
          onResult: (r: CopyResult) => {
            done++;
            if (terminal) io.stderr(`\r\x1b[K[${done}/${total}] ${r.status} ${r.image.slice(0, 150)}${done === total ? '\n' : ''}`);
          },
        };
        results = [...(await copyImages(jobs, run)), ...(await seedImages(seeds, run)), ...refused];
      } finally {
        target.close();
        for (const s of sources.values()) s.close();
      }
      const all: CopyResult[] = [
        ...results,
        ...listed.failed,
        ...rejected.map((r) => ({
          image: r.image,
          target: '',
          status: 'failed' as const,
          reason: r.reason,
          notes: [],
          blobs: { sent: 0, present: 0 },
          bytes: 0,
        })),
      ];
      const summary = summarizeCopies(all);
      if (opts.json) {
        io.stdout(`${JSON.stringify({ registry: baseUrl, dryRun: opts.dryRun === true, summary, results: all }, null, 2)}\n`);
      } else {
        for (const r of all) io.stdout(`${renderResult(r, opts.dryRun === true)}\n`);
        const verb = opts.dryRun ? 'checked (dry run, nothing written) against' : 'copied to';
        io.stdout(
          `${summary.images} images ${verb} ${baseUrl}: ${summary.copied} ${opts.dryRun ? 'to copy' : 'copied'}, ${summary.unchanged} unchanged, ${summary.failed} failed (${summary.bytes} bytes sent)\n`,
        );
      }
      if (summary.failed > 0) state.code = 1;
    });
};
