import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Option } from 'commander';
import { PtcError, consumerHubTarget, primaryTarget } from '../../core';
import { registryFlagsGiven } from './kyverno';
import {
  CONTAINERD_CERTS_DIR,
  DEFAULT_KUBELET_VERSION,
  MIME_BOUNDARY,
  NODE_CONFIG_FORMATS,
  configFallback,
  containerdConfigDropIn,
  kubeletExclusions,
  mirrorMapFor,
  parseKubeletVersion,
  parseRegistryUrl,
  renderNodeConfig,
  type NodeConfigFormat,
  type NodeFile,
} from '../../core/node-config';
import { readConfig, type CliIo } from '../io';
import type { RegisterCommand } from './types';

interface NodeConfigOptions {
  config?: string;
  environment?: string;
  consumer?: string;
  format: NodeConfigFormat;
  out?: string;
  registryUrl?: string;
  /** true with --fallback, false with --no-fallback, undefined: the config decides. */
  fallback?: boolean;
  kubeletVersion?: string;
}

/** The first line of every file ptc-autopilot writes for mirror mode: what it may overwrite. */
const OWN_MARKER = '# ptc-autopilot mirror mode';

/** Whether a file's text is one ptc-autopilot wrote (its marker line, or the user data's MIME boundary). */
function isOwnFile(text: string): boolean {
  return text.startsWith(OWN_MARKER) || text.slice(0, 200).includes(`boundary="${MIME_BOUNDARY}"`);
}

/** A file in the way that ptc-autopilot did not write. */
export class ForeignFileError extends PtcError {}

/** The file a document format is written to under `--out`. */
const DOCUMENT_FILE: Record<Exclude<NodeConfigFormat, 'containerd'>, string> = {
  'credential-provider': 'credential-provider.yaml',
  al2023: 'al2023-user-data.mime',
  bottlerocket: 'bottlerocket-settings.toml',
  karpenter: 'karpenter-ec2nodeclass.yaml',
};

/** Writes files under `dir`, refusing (before writing anything) to replace a file someone else wrote. */
function writeFiles(io: CliIo, dir: string, files: readonly NodeFile[]): void {
  const root = path.resolve(io.cwd, dir);
  const targets = files.map((f) => ({ ...f, full: path.join(root, f.path) }));
  for (const t of targets) {
    if (existsSync(t.full) && !isOwnFile(readFileSync(t.full, 'utf8'))) {
      throw new ForeignFileError(
        `${path.join(dir, t.path)} exists and was not written by ptc-autopilot; move it away or choose another --out`,
      );
    }
  }
  for (const t of targets) {
    mkdirSync(path.dirname(t.full), { recursive: true });
    writeFileSync(t.full, t.content);
    io.stderr(`wrote ${path.join(dir, t.path)}\n`);
  }
}

/**
 * `ptc node-config --format FORMAT [--out DIR] [--registry-url URL] [--no-fallback]`: mirror mode,
 * the node configuration that makes containerd pull upstream references through the cache.
 */
export const registerNodeConfig: RegisterCommand = (program, io) => {
  program
    .command('node-config')
    .description('print or write node configuration that makes containerd pull upstream images through the cache (mirror mode)')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option(
      '-e, --environment <name>',
      'the environment whose cache registry nodes use (default: the only one, or the top-level account/region)',
    )
    .option('--consumer <name>', 'for the consumer account NAME (config "consumers"): the hub registry its nodes pull through')
    .addOption(new Option('--format <format>', 'what to generate').choices([...NODE_CONFIG_FORMATS]).makeOptionMandatory())
    .option('--out <dir>', 'write files under DIR (containerd: DIR/<upstream host>/hosts.toml) instead of printing')
    .option(
      '--registry-url <url>',
      "the registry nodes reach instead of the environment's (a VPC endpoint name, or http://127.0.0.1:PORT in tests)",
    )
    .option(
      '--fallback',
      "let nodes try the upstream when the cache fails (sends the node's ECR token to the upstream on a miss; see docs/mirror-mode.md)",
    )
    .option('--no-fallback', 'the cache is the only source (the default unless the config sets mirror.fallback: true)')
    .option(
      '--kubelet-version <version>',
      `the nodes' kubelet (1.31, v1.33.2): which of nodeadm's ECR Public patterns the credential provider config keeps (default: ${DEFAULT_KUBELET_VERSION})`,
    )
    .action((opts: NodeConfigOptions) => {
      if (opts.kubeletVersion !== undefined) parseKubeletVersion(opts.kubeletVersion);
      const config = readConfig(io, opts.config);
      // --registry-url stays allowed: it names how nodes reach the (hub) registry, such as a VPC endpoint.
      const target =
        opts.consumer === undefined
          ? primaryTarget(config, opts.environment)
          : consumerHubTarget(config, opts.consumer, registryFlagsGiven({ environment: opts.environment }));
      const registry = opts.registryUrl === undefined ? undefined : parseRegistryUrl(opts.registryUrl);
      const map = mirrorMapFor(config, target, registry);
      const fallback = opts.fallback ?? configFallback(config);
      for (const u of map.unmirrored) io.stderr(`note: ${u.host} is not mirrored: ${u.reason}\n`);
      for (const x of kubeletExclusions(map)) io.stderr(`note: on kubelet nodes ${x.host} cannot go through the mirror: ${x.reason}\n`);
      const copies = map.copies ?? [];
      for (const c of copies) {
        const where =
          opts.format === 'bottlerocket' || opts.format === 'karpenter'
            ? ' (left out of the Bottlerocket settings, which always fall back)'
            : '';
        io.stderr(
          `note: ${c.host} is mirrored cache only (copies[${c.index}].mirror): images it does not list fail to pull on these nodes${where}\n`,
        );
      }
      if (map.entries.length === 0 && copies.length === 0) throw new PtcError('no rule of the config can be mirrored; nothing to generate');
      const output = renderNodeConfig(
        opts.format,
        map,
        target.region,
        opts.kubeletVersion === undefined ? { fallback } : { fallback, kubeletVersion: opts.kubeletVersion },
      );
      if (output.kind === 'files') {
        if (opts.out === undefined) {
          io.stdout(output.files.map((f) => `# --- ${f.path}\n${f.content}`).join('\n'));
        } else {
          writeFiles(io, opts.out, output.files);
          io.stderr(`point containerd at it (config_path must name this one directory; see docs/mirror-mode.md):\n`);
          io.stderr(
            `# containerd 1.6/1.7 (containerd --version; "version = 2" in config.toml)\n${containerdConfigDropIn('1.x').replace(CONTAINERD_CERTS_DIR, path.resolve(io.cwd, opts.out))}`,
          );
          io.stderr(
            `# containerd 2.x ("version = 3")\n${containerdConfigDropIn('2.x').replace(CONTAINERD_CERTS_DIR, path.resolve(io.cwd, opts.out))}`,
          );
        }
        return;
      }
      if (opts.out === undefined) io.stdout(output.text);
      else
        writeFiles(io, opts.out, [{ path: DOCUMENT_FILE[opts.format as Exclude<NodeConfigFormat, 'containerd'>], content: output.text }]);
    });
};
