import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PtcError, createResolver, createReverser } from '../../core';
import { renderSummary, resolveContext, rewriteHelmValues, rewriteManifests, totals, type FileOutcome, type RegistryOptions, type RewriteResult } from '../rewrite';
import { EXIT_INVALID_REFERENCE } from './resolve';
import type { RegisterCommand } from './types';

/** `--check`: some image's rendering could not be proven (Helm values, kustomizations), so it was left alone. */
export const EXIT_UNSUPPORTED = 3;

/** The file names Kustomize reads as a kustomization. */
const KUSTOMIZATION = /^(kustomization\.ya?ml|Kustomization)$/;

/**
 * A kustomization is not rewritten yet: its `images:` entries match by the base's names, so it is
 * reported (and `--check` exits 3) rather than passed as if nothing needed to change.
 */
function kustomizationNotRewritten(text: string, file: string): RewriteResult {
  return {
    text,
    changes: [],
    findings: [{
      location: 'images',
      reference: file,
      reason: 'unsupported',
      message: `${file} left unchanged: kustomizations are not rewritten yet; rewrite what they render (kubectl kustomize DIR | ptc rewrite)`,
    }],
  };
}

/** A file that cannot be read or written. */
export class RewriteFileError extends PtcError {}

interface RewriteOptions extends RegistryOptions {
  inPlace?: boolean;
  check?: boolean;
  helmValues?: boolean;
  reverse?: boolean;
}

function read(file: string, cwd: string): string {
  try {
    return readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new RewriteFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * `ptc rewrite [--config FILE] [--in-place | --check] [--helm-values] [--reverse] [FILE...]`:
 * points every container image of manifests (or Helm values) at the cache, or with `--reverse`
 * back at the upstream registries. Reads stdin when no file is given; writes the result to
 * stdout, or back to the files with `--in-place`; `--check` changes nothing and exits 1 when
 * anything would change. The summary goes to stderr.
 */
export const registerRewrite: RegisterCommand = (program, io, state) => {
  program
    .command('rewrite')
    .description('rewrite container images in Kubernetes manifests (or Helm values) to pull from the cache')
    .argument('[file...]', 'manifest or values files (default: standard input)')
    .option('-c, --config <file>', 'config file (default: $PTC_CONFIG, then ./ptc.yaml)')
    .option('--account <id>', "cache registry account (default: the config's target)")
    .option('--region <region>', "cache registry region (default: the config's target)")
    .option('-e, --environment <name>', 'the environment whose cache registry to use (default: the only one, or the top-level account/region)')
    .option('-i, --in-place', 'write the rewritten files back')
    .option('--check', 'change nothing; exit 1 when any image would change, 3 when an image shape is not understood (a CI gate)')
    .option('--helm-values', 'the files are Helm values files (image: ref, image: {registry, repository, tag, digest}, ...)')
    .option('--reverse', 'point cache URIs back at their upstream references (to retire the cache)')
    .action(async (files: string[], opts: RewriteOptions) => {
      if (opts.inPlace && opts.check) throw new RewriteFileError('give --in-place or --check, not both');
      if (opts.inPlace && files.length === 0) throw new RewriteFileError('--in-place needs files; standard input cannot be written back');
      const ctx = resolveContext(io, opts);
      const resolve = opts.reverse ? createReverser(ctx) : createResolver(ctx);
      const inputs = files.length === 0 ? [{ file: '<stdin>', text: await io.readStdin() }] : files.map((file) => ({ file, text: read(file, io.cwd) }));
      const outcomes: FileOutcome[] = inputs.map(({ file, text }) => ({
        file,
        result: KUSTOMIZATION.test(path.basename(file))
          ? kustomizationNotRewritten(text, file)
          : opts.helmValues ? rewriteHelmValues(text, resolve, file) : rewriteManifests(text, resolve, file),
      }));
      if (opts.inPlace) {
        outcomes.forEach(({ file, result }, i) => {
          if (result.text !== inputs[i]!.text) writeFileSync(path.resolve(io.cwd, file), result.text);
        });
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
