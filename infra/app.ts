/**
 * CDK entry point: `cdk synth -c config=path.yaml` (default `config/example.yaml`, see cdk.json).
 * A bad config prints `config error at <path>: ...` and exits 1, with no stack trace.
 */
import { App } from 'aws-cdk-lib';
// The package's entry point, the same one a consumer imports as 'ptc-autopilot'.
import { ConfigError, buildApp, loadConfig } from '../index';

function main(): void {
  const app = new App();
  const file = (app.node.tryGetContext('config') as string | undefined) ?? process.env.PTC_CONFIG ?? 'config/example.yaml';
  try {
    buildApp(loadConfig(file), { app });
    app.synth();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${file}:\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

main();
