/**
 * What the real `ptc` prints when its reader goes away or AWS is out of reach on Node 20: one
 * clean line, or nothing; never an unhandled EPIPE stack trace or the AWS SDK's nine-line
 * Node-version warning.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BIN, EXAMPLE, manifestsOfSize, runPtc, tempDir } from './helpers';

/** No credentials anywhere and no instance metadata: the SDK's provider chain fails without a network call. */
const NO_AWS = {
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
};

describe('ptc exits cleanly', () => {
  test('rewrite | head -c1: the closed pipe ends the output silently, the summary stays on stderr and the exit code is 0', () => {
    const dir = tempDir('epipe');
    // 1 MB of output: far more than a pipe buffer holds, so writes continue after head has exited.
    writeFileSync(path.join(dir, 'big.yaml'), manifestsOfSize(1024 * 1024));
    const script = `'${process.execPath}' '${BIN}' rewrite -c '${EXAMPLE}' big.yaml 2>err.txt | head -c1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const out = spawnSync('bash', ['-c', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    });
    expect(out.stdout).toBe('0\n');
    const stderr = readFileSync(path.join(dir, 'err.txt'), 'utf8');
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(stderr.trimEnd().split('\n').pop()).toMatch(
      /^rewrote \d+ images in 1 file; \d+ uncovered left unchanged(, \d+ digest-pinned left upstream)?$/,
    );
  });

  test('rewrite > /dev/full: one line naming ENOSPC and exit 1', () => {
    const dir = tempDir('full');
    writeFileSync(path.join(dir, 'm.yaml'), manifestsOfSize(1));
    const out = runPtc(['rewrite', '-c', EXAMPLE, 'm.yaml'], { cwd: dir, shell: 'exec >/dev/full;' });
    expect(out.status).toBe(1);
    expect(out.stderr.trimEnd().split('\n').pop()).toBe('ptc: cannot write to standard output (ENOSPC)');
    expect(out.stderr).not.toMatch(/Error|at /);
  });

  test('reconcile without credentials prints its one line and no SDK warning on Node 20', () => {
    const out = runPtc(['reconcile', '-c', EXAMPLE], { cwd: tempDir('rec'), env: NO_AWS });
    expect(out.stderr).toBe('ptc reconcile needs AWS credentials for the target account (Could not load credentials from any providers)\n');
    expect(out.stdout).toBe('reconciling repositories in 111122223333 eu-west-2 (environment prod-eu)\n');
    expect(out.status).toBe(1);
  });

  test('cleanup without credentials prints its one line and no SDK warning on Node 20', () => {
    const out = runPtc(['cleanup', '-c', EXAMPLE], { cwd: tempDir('clean'), env: NO_AWS });
    expect(out.stderr).toBe('ptc cleanup needs AWS credentials for account 111122223333 (Could not load credentials from any providers)\n');
    expect(out.stdout).toBe('');
    expect(out.status).toBe(1);
  });
});
