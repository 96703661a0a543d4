/**
 * The Lambda bundles of a synthesized app and one way to run them: in a plain `node` child process
 * (test/aws-truth/drive-bundle.js), with the template's environment, the SDK found the way the
 * Lambda runtime finds it (NODE_PATH, not a node_modules beside the bundle) and mocked there with
 * aws-sdk-client-mock.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, type Synthesized, type SynthesizedStack } from './synth';

/** One ptc-autopilot function of a stack, with the bundle CDK staged for it. */
export interface BundledFunction {
  readonly where: string;
  readonly stack: SynthesizedStack;
  /** The function folder (`POWERTOOLS_SERVICE_NAME`). */
  readonly service: string;
  readonly handler: string;
  readonly environment: Record<string, string>;
  /** `<outdir>/asset.<hash>/index.js`. */
  readonly bundle: string;
}

/** Every ptc-autopilot Lambda (those publishing to the PtcAutopilot namespace) of an app. */
export function bundledFunctions(app: Synthesized): BundledFunction[] {
  return app.stacks.flatMap((stack) =>
    Object.entries(stack.resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([logicalId, r]) => {
        const props = r.Properties as { Handler: string; Code: { S3Key: string }; Environment?: { Variables: Record<string, unknown> } };
        return { logicalId, props, env: props.Environment?.Variables ?? {} };
      })
      // CDK's own provider-framework functions are CDK's code; ours publish to the PtcAutopilot namespace.
      .filter(({ env }) => env.POWERTOOLS_METRICS_NAMESPACE === 'PtcAutopilot')
      .map(({ logicalId, props, env }) => {
        for (const [k, v] of Object.entries(env))
          if (typeof v !== 'string') throw new Error(`${logicalId}: environment ${k} is not a literal string`);
        return { logicalId, props, env: env as Record<string, string> };
      })
      .map(({ props, env }) => ({
        where: `${app.name} ${stack.stackName} ${env.POWERTOOLS_SERVICE_NAME}`,
        stack,
        service: env.POWERTOOLS_SERVICE_NAME!,
        handler: props.Handler,
        environment: env,
        bundle: path.join(app.outdir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js'),
      })),
  );
}

/** A mocked SDK command: `.on(command, input)` of aws-sdk-client-mock. */
export interface MockSpec {
  readonly module: string;
  readonly client: string;
  readonly command?: string;
  readonly input?: Record<string, unknown>;
  readonly resolves?: unknown;
  readonly rejects?: { name: string; message?: string };
  /** Keep what a write sends and answer reads from it (see drive-bundle.js). */
  readonly state?: { readonly store: string; readonly key: string; readonly field: string; readonly op: 'set' | 'get' };
}

/** A command the bundle sent. */
export interface SentCommand {
  readonly client: string;
  readonly command: string;
  readonly input: Record<string, unknown>;
}

export interface ErrorSeen {
  readonly name: string;
  readonly constructorName: string;
  readonly message: string;
}

/** What happened in the child. */
export interface BundleRun {
  readonly loadError?: ErrorSeen;
  readonly results: ReadonlyArray<{ ok?: unknown; error?: ErrorSeen }>;
  readonly calls: readonly SentCommand[];
  /** JSON log lines (Powertools Logger, EMF) the bundle wrote. */
  readonly logs: ReadonlyArray<Record<string, unknown>>;
  readonly stderr: string;
}

const NODE_PATH = realpathSync(path.join(ROOT, 'node_modules'));
const DRIVER = path.join(__dirname, 'drive-bundle.js');

/**
 * Requires the bundle in a plain node child with `environment` (the template's, unless a test
 * breaks it on purpose) and invokes its handler with each event.
 */
export function runBundle(
  fn: BundledFunction,
  mocks: readonly MockSpec[],
  events: readonly unknown[],
  environment: Record<string, string> = fn.environment,
): BundleRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-drive-'));
  const requestFile = path.join(dir, 'request.json');
  const resultFile = path.join(dir, 'result.json');
  writeFileSync(requestFile, JSON.stringify({ bundle: fn.bundle, mocks, events }));
  const child = spawnSync(process.execPath, [DRIVER, requestFile, resultFile], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_PATH,
      AWS_REGION: fn.stack.region,
      AWS_DEFAULT_REGION: fn.stack.region,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: 'ptc-truth',
      ...environment,
    },
  });
  if (child.status !== 0) throw new Error(`driver exited ${child.status} (${child.signal ?? ''}): ${child.stderr}`);
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as Omit<BundleRun, 'logs' | 'stderr'>;
  rmSync(dir, { recursive: true, force: true });
  const logs = child.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ...result, logs, stderr: child.stderr };
}

/** The documented JSON fixture at `test/fixtures/<file>`. */
export function fixtureJson(file: string): unknown {
  return JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', file), 'utf8'));
}

/** The commands named `command` that the bundle sent. */
export function sent(run: BundleRun, command: string): Array<Record<string, unknown>> {
  return run.calls.filter((c) => c.command === command).map((c) => c.input);
}
