/**
 * The `--digest-pinned` option, spelled and explained once for `ptc rewrite`, `ptc audit` and
 * `ptc kyverno`.
 */
import { Option } from 'commander';
import { DEFAULT_DIGEST_PINNED, DIGEST_PINNED_MODES } from '../../core';

/** A fresh `--digest-pinned <mode>` option (commander options cannot be shared between commands). */
export function digestPinnedOption(): Option {
  return new Option(
    '--digest-pinned <mode>',
    'digest-pinned images (name@sha256:..., name:tag@sha256:...), which the cache cannot fetch by digest before they are cached: ' +
      'upstream = leave them upstream; prewarmed = send to the cache those prewarm.images seeds by tag (name:tag@digest); cache = send all to the cache',
  )
    .choices([...DIGEST_PINNED_MODES])
    .default(DEFAULT_DIGEST_PINNED);
}
