/**
 * Our reference parser against distribution's own test tables (github.com/distribution/reference
 * at 0965666a; see test/fixtures/distribution-reference/SOURCE): the same valid/invalid verdict
 * and the same components, input by input, as ParseNormalizedNamed, which kubelet and containerd use.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidReferenceError, parseReference, type ImageReference } from '../../core';
import { parseSlowly } from '../../core/image-ref/parse';

interface ParseCase {
  input: string;
  err?: string;
  repository?: string;
  domain?: string;
  tag?: string;
  digest?: string;
}
interface Cases {
  parse: ParseCase[];
  validNames: { input: string; test: string }[];
  invalidNames: { input: string; test: string }[];
  splitHostname: { input: string; domain: string; path: string }[];
  repositoryInfo: { RemoteName: string; FamiliarName: string; FullName: string; AmbiguousName: string; Domain: string }[];
}

const CASES = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'distribution-reference', 'cases.json'), 'utf8')) as Cases;

/**
 * Where we knowingly differ. distribution's test binary does not import crypto/sha512, so its
 * Parse refuses sha512 digests; the OCI image spec registers sha512 and kubelet/containerd
 * binaries link crypto/sha512, so such references pull, and we accept them.
 */
const DEVIATIONS = new Set([`validname@sha512:${'f'.repeat(128)}`]);

function parsed(ref: string): ImageReference | InvalidReferenceError {
  try {
    return parseReference(ref);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return err;
    throw err;
  }
}

function label(ref: string): string {
  return ref.length > 80 ? `${ref.slice(0, 40)}...(${ref.length} characters)` : JSON.stringify(ref);
}

/**
 * distribution's Parse expectation, normalized the way ParseNormalizedNamed does it
 * (normalize.go splitDockerDomain): a domain that has no ".", no ":", no upper case and is not
 * "localhost" is a Docker Hub path component; no domain is Docker Hub, with `library/` for a
 * single component; and we spell "no tag, no digest" as the tag `latest`.
 */
function normalizedExpectation(c: ParseCase): ImageReference {
  const domain = c.domain ?? '';
  const hostLike = domain === 'localhost' || /[.:]/.test(domain) || domain !== domain.toLowerCase();
  let host = 'docker.io';
  let repository = c.repository!;
  if (domain !== '' && hostLike) {
    host = domain;
    repository = repository.slice(domain.length + 1);
  } else if (!repository.includes('/')) {
    repository = `library/${repository}`;
  }
  const out: ImageReference = { host, repository };
  if (c.tag !== undefined) out.tag = c.tag;
  else if (c.digest === undefined) out.tag = 'latest';
  if (c.digest !== undefined) out.digest = c.digest;
  return out;
}

describe("distribution's TestReferenceParse cases", () => {
  const unique = [...new Map(CASES.parse.map((c) => [c.input, c])).values()];
  test('the table holds every case of the Go test (48, one repeated)', () => {
    expect(CASES.parse).toHaveLength(48);
    expect(unique).toHaveLength(47);
  });
  test.each(unique.map((c) => [label(c.input), c] as const))('%s', (_l, c) => {
    const result = parsed(c.input);
    if (c.err !== undefined && !DEVIATIONS.has(c.input)) {
      expect(result).toBeInstanceOf(InvalidReferenceError);
      return;
    }
    expect(result).toEqual(
      c.err !== undefined
        ? { host: 'docker.io', repository: 'library/validname', digest: c.input.slice(c.input.indexOf('@') + 1) }
        : normalizedExpectation(c),
    );
    // The fast path and the step-by-step parse agree on every case.
    expect(parseSlowly(c.input)).toEqual(result);
  });
});

describe("distribution's TestValidateReferenceName and TestValidateRemoteName lists", () => {
  test.each(CASES.validNames.map((c) => [label(c.input), c.test, c.input] as const))('%s (%s) is valid', (_l, _t, input) => {
    expect(parsed(input)).not.toBeInstanceOf(InvalidReferenceError);
  });
  test.each(CASES.invalidNames.map((c) => [label(c.input), c.test, c.input] as const))('%s (%s) is invalid', (_l, _t, input) => {
    expect(parsed(input)).toBeInstanceOf(InvalidReferenceError);
    expect(() => parseSlowly(input)).toThrow(InvalidReferenceError);
  });
});

describe("distribution's TestNormalizedSplitHostname and TestParseRepositoryInfo", () => {
  test.each(CASES.splitHostname.map((c) => [c.input, c] as const))('%s splits into its domain and path', (_i, c) => {
    expect(parsed(c.input)).toMatchObject({ host: c.domain, repository: c.path });
  });
  const spellings = CASES.repositoryInfo.flatMap((c) =>
    [c.FamiliarName, c.FullName, c.AmbiguousName].filter((s) => s !== '').map((s) => [s, c] as const),
  );
  test.each(spellings)('%s names domain and remote name of its repository', (spelling, c) => {
    expect(parsed(spelling)).toEqual({ host: c.Domain, repository: c.RemoteName, tag: 'latest' });
  });
});
