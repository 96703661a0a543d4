import { Option } from 'commander';
import { PtcError, type DigestPinnedMode } from '../../core';
import { digestPinnedOption } from '../rewrite/digest-option';
import { imageUses, parseDocuments } from '../audit/extract';
import { checkDecodedText, decodeText } from '../rewrite/decode';
import { auditImages, renderAuditTable } from '../audit/report';
import { copySuggestionsOf } from '../audit/suggest-copies';
import { InputReadError, MAX_INPUT_BYTES, readConfig, readInputFile, type CliIo } from '../io';
import type { RegisterCommand } from './types';

/** The exit code of `ptc audit --fail-on-uncached` when an image does not go through the cache. */
export const UNCACHED_EXIT_CODE = 2;

interface AuditOptions {
  config?: string;
  environment?: string;
  format: 'table' | 'json';
  failOnUncached?: boolean;
  digestPinned: DigestPinnedMode;
  mirror?: boolean;
  suggestCopies?: boolean;
}

async function readInputs(io: CliIo, files: readonly string[]): Promise<{ source: string; text: string }[]> {
  if (files.length === 0) return [{ source: 'stdin', text: checkDecodedText(await io.readStdin(), 'standard input') }];
  return Promise.all(
    files.map(async (file) => {
      if (file === '-') return { source: 'stdin', text: checkDecodedText(await io.readStdin(), 'standard input') };
      let bytes: Buffer;
      try {
        bytes = readInputFile(file, { cwd: io.cwd, limit: MAX_INPUT_BYTES }).bytes;
      } catch (err) {
        if (!(err instanceof InputReadError)) throw err;
        throw new PtcError(
          `${file}: ${err.code === 'ENOENT' ? 'file not found' : err.code !== undefined ? `cannot read (${err.code})` : err.reason}`,
        );
      }
      return { source: file, text: decodeText(bytes, file) };
    }),
  );
}

/**
 * `ptc audit [FILE...] [--format table|json] [--fail-on-uncached]`: which running (or declared)
 * images already go through the cache, which rule would cover the others, and which are pulled
 * straight from Docker Hub. Reads `kubectl get pods -A -o json` output or manifests, from files or stdin.
 */
export const registerAudit: RegisterCommand = (program, io, state) => {
  program
    .command('audit')
    .description('list every image of pods or manifests: pod count, through the cache or not, covering rule, Docker Hub pulled directly')
    .argument('[files...]', 'kubectl get pods -A -o json output or manifests (JSON/YAML); "-" or none reads stdin')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('-e, --environment <name>', 'environment whose registry the suggested cache references use (default: the primary one)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option(
      '--mirror',
      'count images of the hosts nodes mirror (ptc node-config) as through the cache (default: when the config has a mirror section)',
    )
    .option(
      '--fail-on-uncached',
      `exit ${UNCACHED_EXIT_CODE} when any image does not go through the cache (digest-pinned images --digest-pinned leaves upstream excepted), 1 when the input holds no image at all (for CI)`,
    )
    .option(
      '--suggest-copies',
      'print the copies lines (YAML) that would cover the images of registries the pull-through cache cannot serve, instead of the table',
    )
    .addOption(digestPinnedOption())
    .action(async (files: string[], opts: AuditOptions) => {
      const config = readConfig(io, opts.config);
      const inputs = await readInputs(io, files);
      const uses = inputs.flatMap(({ source, text }) => parseDocuments(text, source).flatMap(imageUses));
      if (uses.length === 0) io.stderr('ptc audit: no pods, pod templates or containers found in the input\n');
      const report = auditImages(uses, config, opts.environment, {
        digestPinned: opts.digestPinned,
        mirror: opts.mirror ?? config.mirror !== undefined,
      });
      if (opts.suggestCopies) io.stdout(copySuggestionsOf(report, config, opts.format));
      else io.stdout(opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderAuditTable(report));
      if (opts.failOnUncached && report.images.some((i) => i.status !== 'cached' && i.status !== 'pinned')) state.code = UNCACHED_EXIT_CODE;
      // A gate that saw nothing proves nothing: an empty input is most often a failed kubectl upstream of a pipe.
      if (opts.failOnUncached && uses.length === 0) state.code = 1;
    });
};
