import { statSync } from 'node:fs';
import * as path from 'node:path';
import { PtcError, createResolver, createReverser, digestPinnedPolicy, truncate, type DigestPinnedMode } from '../../core';
import { digestPinnedOption } from '../rewrite/digest-option';
import { InputReadError, MAX_INPUT_BYTES, readInputFile, type InputFile } from '../io';
import { writeFilesAtomically } from '../write-files';
import {
  checkDecodedText,
  decodeText,
  isKustomizationFile,
  renderSummary,
  resolveContext,
  rewriteHelmValues,
  rewriteKustomizations,
  rewriteManifests,
  totals,
  type FileOutcome,
  type RegistryOptions,
  type RewriteResult,
} from '../rewrite';
import { ownedChartValues, withChartValues } from '../rewrite/gitops/owned';
import { EXIT_INVALID_REFERENCE } from './resolve';
import type { RegisterCommand } from './types';
import { consumerContext } from './kyverno';

/** `--check`: some image's rendering could not be proven (Helm values, kustomizations), so it was left alone. */
export const EXIT_UNSUPPORTED = 3;

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch (err) {
    // Not there or not reachable: reading it as a file then says why, in one line.
    if (typeof (err as NodeJS.ErrnoException).code === 'string') return false;
    throw err;
  }
}

/**
 * A manifest a kustomization in the same run owns is left alone: its kustomization's `images:`
 * entries match the names written in it, so the kustomization is what gets rewritten.
 */
function ownedByKustomization(text: string, file: string): RewriteResult {
  return {
    text,
    changes: [],
    findings: [
      {
        location: file,
        reference: file,
        reason: 'owned',
        message: `${file} left unchanged: a kustomization given in this run owns it (its images: entries are rewritten instead)`,
      },
    ],
  };
}

/** A file that cannot be read or written. */
export class RewriteFileError extends PtcError {}

interface RewriteOptions extends RegistryOptions {
  inPlace?: boolean;
  check?: boolean;
  helmValues?: boolean;
  reverse?: boolean;
  digestPinned: DigestPinnedMode;
  consumer?: string;
}

function read(file: string, cwd: string): InputFile {
  let input: InputFile;
  try {
    input = readInputFile(file, { cwd, limit: MAX_INPUT_BYTES });
  } catch (err) {
    if (err instanceof InputReadError) throw new RewriteFileError(`cannot read ${truncate(file, 200)}: ${err.reason}`);
    throw err;
  }
  // UTF-8 only: a Latin-1 or binary file is refused, never rewritten into a corrupted copy.
  return { ...input, text: decodeText(input.bytes, file) };
}

const withText = (read: InputFile) => ({ text: read.text, read });

/**
 * `ptc rewrite [--config FILE] [--in-place | --check] [--helm-values] [--reverse] [FILE...]`:
 * points every container image of manifests (or Helm values) at the cache, or with `--reverse`
 * back at the upstream registries. Kustomization files, and directories (searched for them), are
 * rewritten through their `images:` entries (see cli/rewrite/kustomize). Reads stdin when no file is given; writes the result to
 * stdout, or back to the files with `--in-place`; `--check` changes nothing and exits 1 when
 * anything would change. The summary goes to stderr.
 */
export const registerRewrite: RegisterCommand = (program, io, state) => {
  program
    .command('rewrite')
    .description('rewrite container images in Kubernetes manifests (or Helm values) to pull from the cache')
    .argument('[file...]', 'manifest or values files, kustomization files or directories of kustomizations (default: standard input)')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('--account <id>', "cache registry account (default: the config's target)")
    .option('--region <region>', "cache registry region (default: the config's target)")
    .option(
      '-e, --environment <name>',
      'the environment whose cache registry to use (default: the only one, or the top-level account/region)',
    )
    .option(
      '--consumer <name>',
      'for the consumer account NAME (config "consumers"): point images at the hub registry its nodes pull through',
    )
    .option('-i, --in-place', 'write the rewritten files back')
    .option('--check', 'change nothing; exit 1 when any image would change, 3 when an image shape is not understood (a CI gate)')
    .option('--helm-values', 'the files are Helm values files (image: ref, image: {registry, repository, tag, digest}, ...)')
    .option('--reverse', 'point cache URIs back at their upstream references (to retire the cache)')
    .addOption(digestPinnedOption())
    .action(async (files: string[], opts: RewriteOptions) => {
      if (opts.inPlace && opts.check) throw new RewriteFileError('give --in-place or --check, not both');
      if (opts.inPlace && files.length === 0) throw new RewriteFileError('--in-place needs files; standard input cannot be written back');
      const ctx = opts.consumer === undefined ? resolveContext(io, opts) : consumerContext(io, opts, opts.consumer);
      const toCache = createResolver(ctx);
      // Digest-pinned images go to the cache only as --digest-pinned allows (the way back always works).
      const policy = digestPinnedPolicy(ctx.config, opts.digestPinned);
      const resolve = opts.reverse ? createReverser(ctx) : (ref: string) => policy(toCache(ref));
      // Kustomizations (and directories, searched for them) go through their images: entries.
      const trees = files.filter((file) => isKustomizationFile(file) || isDirectory(path.resolve(io.cwd, file)));
      // A tree's edits span files: they are written back or checked, never printed.
      if (trees.length > 0 && !opts.inPlace && !opts.check)
        throw new RewriteFileError(`${truncate(trees[0]!, 200)}: kustomizations are rewritten with --in-place (or checked with --check)`);
      const kustomized = trees.length === 0 ? undefined : rewriteKustomizations(trees, resolve, io.cwd);
      const plain = files.filter((file) => !trees.includes(file));
      const inputs: { file: string; text: string; read?: InputFile }[] =
        files.length === 0
          ? [{ file: '<stdin>', text: checkDecodedText(await io.readStdin(), 'standard input') }]
          : plain.map((file) => ({ file, ...withText(read(file, io.cwd)) }));
      const outcomes: FileOutcome[] = inputs.map(({ file, text }) => ({
        file,
        result: kustomized?.owned.has(path.resolve(io.cwd, file))
          ? withChartValues(ownedByKustomization(text, file), text, resolve, file)
          : opts.helmValues
            ? rewriteHelmValues(text, resolve, file)
            : rewriteManifests(text, resolve, file),
      }));
      for (const k of kustomized?.outcomes ?? []) {
        inputs.push({ file: k.file, text: k.read?.text ?? k.result.text, ...(k.read !== undefined ? { read: k.read } : {}) });
        outcomes.push({ file: k.file, result: k.result });
      }
      // The chart values of the HelmReleases and Applications the kustomizations own (cli/rewrite/gitops/owned.ts).
      for (const o of ownedChartValues(kustomized?.owned ?? [], new Set(plain.map((f) => path.resolve(io.cwd, f))), io.cwd, resolve)) {
        inputs.push({ file: o.file, text: o.read.text, read: o.read });
        outcomes.push({ file: o.file, result: o.result });
      }
      if (opts.inPlace) {
        // Every output is prepared before any file is replaced; see cli/write-files.ts.
        writeFilesAtomically(
          outcomes.flatMap(({ file, result }, i) => {
            const input = inputs[i]!;
            if (result.text === input.text || input.read === undefined) return [];
            return [
              { file, path: path.resolve(io.cwd, file), originalBytes: input.read.bytes, originalStat: input.read.stat, text: result.text },
            ];
          }),
        );
      } else if (!opts.check) {
        outcomes.forEach(({ result }, i) => {
          const text = result.text;
          io.stdout(i > 0 && !/^---(\s|$)/.test(text) ? `---\n${text}` : text);
          if (i < outcomes.length - 1 && text !== '' && !text.endsWith('\n')) io.stdout('\n');
        });
      }
      io.stderr(renderSummary(outcomes, opts.check ? 'check' : 'write'));
      const t = totals(outcomes);
      if (t.invalid > 0) state.code = EXIT_INVALID_REFERENCE;
      else if (opts.check && t.unsupported > 0) state.code = EXIT_UNSUPPORTED;
      else if (opts.check && t.changed > 0) state.code = 1;
    });
};
