/**
 * Values that are huge or hold control bytes (a 1 MB flag, a server message with NUL and newlines,
 * an event field of a megabyte) reach error lines capped and escaped: one line stays one line of
 * bounded length, at the source and, as a last line of defence, in the CLI's error printer.
 */
import * as path from 'node:path';
import { DescribeRepositoriesCommand, ECRClient, ECRServiceException, ListTagsForResourceCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_ERROR_LINE_CHARS, MAX_ERROR_LINES, printableError, run } from '../../cli/main';
import { loadConfig, PtcError } from '../../core';
import { parseTrigger } from '../../engines/reconcile/events';
import { recordingIo } from '../cli/fake-io';
import { FakeRegistry, installEcrMock } from '../reconciler/fake-registry';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'example.yaml');
const HUGE = `${'x'.repeat(1_000_000)}\u0000\nforged line\r\u001b[31m`;
const ecrMock = mockClient(ECRClient);
const eventsMock = mockClient(EventBridgeClient);

/** Each printed line: no raw control byte, bounded length. */
function expectTame(text: string, maxLines: number): void {
  const lines = text.replace(/\n$/, '').split('\n');
  expect(lines.length).toBeLessThanOrEqual(maxLines);
  for (const line of lines) {
    expect(line.length).toBeLessThanOrEqual(MAX_ERROR_LINE_CHARS + 100);
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  }
}

beforeEach(() => {
  ecrMock.reset();
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('the CLI error printer', () => {
  test('caps and escapes any error that reaches it, keeping a PtcError to its lines', async () => {
    const io = recordingIo();
    io.readStdin = async () => {
      throw new PtcError(`first ${HUGE}\nsecond`);
    };
    expect(await run(['rewrite', '-c', EXAMPLE], io)).toBe(1);
    expectTame(io.err, 3);
    expect(io.err).toMatch(/^first x{994}\.\.\.\(1000007 characters\)\nforged line\\r\\u001b\[31m\nsecond\n$/);
  });

  test('prints an unexpected error on one line, its newlines escaped', async () => {
    const io = recordingIo();
    io.readStdin = async () => {
      throw new Error('boom\nat fake (stack.js:1:1)\u0000');
    };
    expect(await run(['rewrite', '-c', EXAMPLE], io)).toBe(1);
    expect(io.err).toBe('ptc: boom\\nat fake (stack.js:1:1)\\u0000\n');
  });

  test('keeps at most MAX_ERROR_LINES lines of a long list of issues', () => {
    const printed = printableError(Array.from({ length: 500 }, (_, i) => `config error at rules[${i}].prefix: bad`).join('\n'), true);
    const lines = printed.split('\n');
    expect(lines).toHaveLength(MAX_ERROR_LINES + 1);
    expect(lines.at(-1)).toBe(`...and ${500 - MAX_ERROR_LINES} more lines`);
  });
});

describe('the sources quote what they echo', () => {
  test('cleanup --prefix of a megabyte with control bytes gives one short escaped line', async () => {
    const io = recordingIo();
    expect(await run(['cleanup', '-c', EXAMPLE, '--prefix', HUGE], io)).toBe(1);
    expectTame(io.err, 1);
    expect(io.err.length).toBeLessThan(400);
    expect(io.err).toMatch(/^--prefix x{120}\.\.\.\(1000019 characters\): not a managed prefix; managed prefixes are: /);
  });

  test("reconcile caps a server's failure message and keeps it on the repository's line", async () => {
    const registry = new FakeRegistry();
    registry.add('docker-hub/library/nginx');
    installEcrMock(ecrMock, registry);
    ecrMock.on(ListTagsForResourceCommand).rejects(
      new ECRServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `denied ${HUGE}`,
      }),
    );
    const io = recordingIo();
    expect(await run(['reconcile', '-c', EXAMPLE], io)).toBe(1);
    expectTame(io.err, 1);
    expect(io.err).toMatch(/^failed docker-hub\/library\/nginx: AccessDeniedException: denied x{493}\.\.\.\(1000026 characters\)\n$/);
  });

  test("reconcile caps the listing's failure message", async () => {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .rejects(
        new ECRServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: HUGE }),
      );
    const io = recordingIo();
    expect(await run(['reconcile', '-c', EXAMPLE], io)).toBe(1);
    expectTame(io.err, 1);
  });

  test('a dropped event quotes its odd fields capped and escaped', () => {
    const config = loadConfig(EXAMPLE);
    const dropped = parseTrigger({ 'detail-type': HUGE, source: 'aws.ecr', detail: {} }, config);
    expect(dropped.kind).toBe('drop');
    const reason = (dropped as { reason: string }).reason;
    expect(reason.length).toBeLessThan(300);
    expect(reason).toMatch(/^ECR event "x{120}\.\.\.\(1000019 characters\)" is not handled$/);
    const badName = parseTrigger(
      { 'detail-type': 'ECR Pull Through Cache Action', source: 'aws.ecr', detail: { 'repository-name': `a\nb${'c'.repeat(5000)}` } },
      config,
    );
    expect((badName as { reason: string }).reason).toMatch(
      /^detail\.repository-name "a\\nbc+\.\.\.\(5003 characters\)" is not an ECR repository name$/,
    );
  });
});
