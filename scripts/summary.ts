/**
 * Prints what `cdk deploy` would create, after `cdk synth`: per stack, the resources by type from
 * the synthesized templates and the cdk-nag report, then the `ptc plan` of the same config.
 *
 * Usage: tsx scripts/summary.ts [CONFIG] [CDK_OUT]
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, buildPlan, loadConfig, renderPlan } from '../core';

interface Manifest {
  artifacts: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }>;
}

interface ValidationReport {
  pluginReports?: { pluginName?: string; violations?: unknown[] }[];
}

function main(): number {
  const configFile = process.argv[2] ?? 'config/example.yaml';
  const outDir = process.argv[3] ?? 'cdk.out';
  let config;
  try {
    config = loadConfig(configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const manifestFile = path.join(outDir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    process.stderr.write(`${manifestFile} not found: run "npx cdk synth" first\n`);
    return 1;
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const out: string[] = [`Synthesized ${configFile} into ${outDir}/`];
  for (const [name, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(readFileSync(path.join(outDir, artifact.properties.templateFile), 'utf8')) as {
      Resources?: Record<string, { Type: string }>;
    };
    const counts = new Map<string, number>();
    for (const resource of Object.values(template.Resources ?? {})) counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    out.push(`\nStack ${name} (${artifact.environment ?? 'unknown environment'}): ${total} resources`);
    for (const [type, count] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) out.push(`  ${String(count).padStart(3)}  ${type}`);
  }
  const reportFile = path.join(outDir, 'validation-report.json');
  if (existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReport;
    const findings = (report.pluginReports ?? []).reduce((n, r) => n + (r.violations?.length ?? 0), 0);
    out.push(`\ncdk-nag AwsSolutions: ${findings} unacknowledged findings`);
  }
  out.push('\nPlan:');
  process.stdout.write(`${out.join('\n')}\n${renderPlan(buildPlan(config))}`);
  return 0;
}

process.exitCode = main();
