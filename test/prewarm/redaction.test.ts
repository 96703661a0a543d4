/**
 * No credential reaches a report or a log, whatever a registry echoes (issue 12 item 6). A
 * hostile registry on 127.0.0.1 (`echoRegistry`) puts the Authorization header it receives into
 * error bodies, headers, media types, platform names and realms; the test signs in with a canary
 * secret and searches everything `ptc prewarm` prints, and every line the prewarm Lambda logs
 * through its Powertools logger, for any 12 characters in a row of any form of the secret.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { parseConfig } from '../../core';
import { Redactor } from '../../core/prewarm';
import { RegistryClient, type RegistryClientOptions } from '../../registry';
import { newTotals, runPrewarm } from '../../functions/prewarm/run';
import { powertoolsLog } from '../../functions/shared/runtime';
import { recordingIo } from '../cli/fake-io';
import { ECHO_TAGS, echoRegistry, HostileServer } from './hostile-registry';
import { captureOutput } from '../functions/captured-output';

const USER = 'ptc-user';
const PASSWORD = `canary-${randomBytes(12).toString('hex')}`;
const TOKEN = `canary-token-${randomBytes(12).toString('hex')}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');
/** Every form the secrets travel in: the Basic value, the ECR authorization token, the bearer token. */
const SECRETS = [PASSWORD, `${USER}:${PASSWORD}`, b64(`${USER}:${PASSWORD}`), `AWS:${PASSWORD}`, b64(`AWS:${PASSWORD}`), TOKEN];

/** Each run of 12 characters of a secret that `text` contains (a partial leak counts). */
function leaks(text: string): string[] {
  const found = new Set<string>();
  for (const secret of SECRETS) {
    for (let i = 0; i + 12 <= secret.length; i++) if (text.includes(secret.slice(i, i + 12))) found.add(secret.slice(i, i + 12));
  }
  return [...found];
}

const RULES = [
  'account: "111122223333"',
  'region: eu-west-2',
  'rules:',
  '  - { prefix: docker-hub, upstream: docker-hub, credentials: { secretName: ecr-pullthroughcache/docker-hub } }',
];
const IMAGES = ECHO_TAGS.map((t) => `app:${t}`);
const servers: HostileServer[] = [];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ptc-redaction-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function echo(options: Parameters<typeof echoRegistry>[0] = {}): Promise<HostileServer> {
  const s = await new HostileServer(echoRegistry(options)).start();
  servers.push(s);
  return s;
}

async function ptc(registry: HostileServer, extra: string[] = []) {
  const file = path.join(dir, `ptc-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(file, [...RULES, 'prewarm:', `  images: [${IMAGES.join(', ')}]`, '  concurrency: 2', ''].join('\n'));
  const io = recordingIo({ stdin: `${PASSWORD}\n` });
  const code = await run(
    ['prewarm', '--config', file, '--registry-url', registry.url, '--insecure-http', '--username', USER, '--password-stdin', ...extra],
    io,
  );
  return { code, out: io.out, err: io.err };
}

describe('ptc prewarm against a registry that echoes the Authorization header', () => {
  test.each<[string, NonNullable<Parameters<typeof echoRegistry>[0]>]>([
    ['Basic', {}],
    ['Bearer', { bearer: { token: TOKEN } }],
  ])('prints no part of the credentials (%s), in text or JSON, and says where it redacted', async (_scheme, options) => {
    const registry = await echo(options);
    const outputs: string[] = [];
    for (const extra of [[], ['--json']]) {
      const { code, out, err } = await ptc(registry, extra);
      expect(code).toBe(1);
      expect(leaks(out + err)).toEqual([]);
      expect(out.split('[redacted').length - 1).toBeGreaterThanOrEqual(ECHO_TAGS.length - 1);
      outputs.push(out);
    }
    // The echo reached the registry's answers: it saw the secret, and the report quotes around it.
    expect(leaks(JSON.stringify(registry.requests.map((r) => r.headers.authorization)))).not.toEqual([]);
    const out = outputs[1]!;
    const reasons = Object.fromEntries(
      (JSON.parse(out).results as { image: string; reason?: string; platforms: string[] }[]).map((r) => [r.image, r]),
    );
    const scheme = options.bearer ? 'Bearer' : 'Basic';
    expect(reasons['app:json-404']!.reason).toBe(
      `not found: manifest docker-hub/library/app:json-404: HTTP 404 (DENIED: rejected ${scheme} [redacted])`,
    );
    expect(reasons['app:value-404']!.reason).toBe(
      'not found: manifest docker-hub/library/app:value-404: HTTP 404 (NAME_UNKNOWN: unknown for [redacted])',
    );
    expect(reasons['app:media-type']!.reason).toBe('unsupported manifest media type "application/vnd.[redacted]+json"');
    expect(reasons['app:variant']!.platforms).toEqual(['linux/amd64/[redacted]']);
  });

  test('a realm holding the credential is quoted redacted in the one error line', async () => {
    const registry = await echo({ realmEcho: true });
    const { code, out, err } = await ptc(registry);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('its token realm "http://198.51.100.1/token/[redacted]" is plain HTTP');
    expect(leaks(err)).toEqual([]);
  });
});

describe('the prewarm Lambda against a registry that echoes the Authorization header', () => {
  const ecrMock = mockClient(ECRClient);
  afterAll(() => ecrMock.restore());

  /** Runs one invocation with the real Powertools logger, capturing what it writes. */
  async function invoke(registry: HostileServer): Promise<{ logged: string; result: unknown }> {
    ecrMock.reset();
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: b64(`AWS:${PASSWORD}`), proxyEndpoint: 'https://111122223333.dkr.ecr.eu-west-2.amazonaws.com' },
      ],
    });
    const run = await captureOutput(() => {
      const config = parseConfig({
        account: '111122223333',
        region: 'eu-west-2',
        rules: [{ prefix: 'docker-hub', upstream: 'docker-hub', credentials: { secretName: 'ecr-pullthroughcache/docker-hub' } }],
        prewarm: { images: IMAGES },
      });
      return runPrewarm(
        {},
        {
          ecr: new ECRClient({ region: 'eu-west-2' }),
          config,
          log: powertoolsLog(new Logger({ serviceName: 'prewarm' })),
          totals: newTotals(),
          // The endpoint ECR names is not reachable from a test; the echoing registry stands in for it.
          createClient: (options: RegistryClientOptions) =>
            new RegistryClient({
              ...options,
              baseUrl: registry.url,
              plainHttpHosts: [registry.host],
              retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
            }),
        },
      ).catch((e: unknown) => e);
    });
    if (run.failed) throw run.error;
    return { logged: run.written, result: run.result };
  }

  test('logs every image with its reason, and no part of the GetAuthorizationToken password or token', async () => {
    const registry = await echo();
    const { logged, result } = await invoke(registry);
    const lines = logged
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { message: string; reason?: string });
    expect(lines.filter((l) => l.message.startsWith('image not prewarmed'))).toHaveLength(IMAGES.length);
    // Every echo but the variant one (whose platform is not in the reason) is quoted, redacted ("[redacted" when capped).
    expect(lines.filter((l) => l.reason?.includes('[redacted')).length).toBe(ECHO_TAGS.length - 1);
    expect(leaks(logged)).toEqual([]);
    expect(leaks(JSON.stringify(result))).toEqual([]);
    expect(leaks(JSON.stringify(registry.requests.map((r) => r.headers.authorization)))).not.toEqual([]);
  });

  test('logs a registry it cannot use in one line, without the credential its realm echoed', async () => {
    const registry = await echo({ realmEcho: true });
    const { logged, result } = await invoke(registry);
    expect(result).toBeInstanceOf(Error);
    expect(logged).toContain('prewarm could not start');
    expect(logged).toContain('[redacted]');
    expect(leaks(logged + (result as Error).message)).toEqual([]);
  });
});

describe('Redactor', () => {
  test('finds the secret in the forms it travels in, before a cap could cut it', () => {
    const r = new Redactor();
    r.addCredentials('AWS', 'pa"ss/word+1');
    const basic = b64('AWS:pa"ss/word+1');
    expect(r.redact(`a ${basic} b`)).toBe('a [redacted] b');
    expect(r.redact(`a ${basic.replace(/=+$/, '')} b`)).toBe('a [redacted] b');
    expect(r.redact('{"p":"pa\\"ss/word+1"}')).toBe('{"p":"[redacted]"}');
    expect(r.redact(`u=${encodeURIComponent('pa"ss/word+1')}`)).toBe('u=[redacted]');
    expect(r.truncate(`${'x'.repeat(110)}${basic}`, 120)).toBe(`${'x'.repeat(110)}[redacted]`);
  });

  test('a password shorter than MIN_SECRET_CHARS is found inside its Basic forms, not letter by letter', () => {
    const r = new Redactor();
    r.addCredentials('user', 'p');
    expect(r.redact(`deadline passed; ${b64('user:p')} user:p`)).toBe('deadline passed; [redacted] [redacted]');
  });

  test('redacts any Authorization-looking value and any JSON Web Token, known or not', () => {
    const r = new Redactor();
    expect(r.redact('authorization: Basic dXNlcjpwYXNzd29yZA== next')).toBe('authorization: Basic [redacted] next');
    expect(r.redact('Bearer abc.def-ghi_jkl')).toBe('Bearer [redacted]');
    expect(r.redact('t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x')).toBe('t=[redacted]');
  });
});
