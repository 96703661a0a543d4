/**
 * Every environment's stack publishes its mirror-mode node config as SSM parameters
 * (`MirrorNodeConfig`), and an SSM String parameter holds at most 8,192 bytes (Advanced tier,
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
 * The documents grow with the mirrored hosts, so a config with many upstream hosts could pass
 * `validate-config` and then stop `cdk synth` with a stack trace. Predicted here from the same
 * renderers, so reading the config refuses it with one line instead.
 *
 * This renders the node config (and loads the YAML library), so it runs where the config is read
 * from YAML (`parseConfigText`), not in the schema the Lambdas bundle.
 */
import { targets } from '../environments';
import { configFallback, mirrorMapFor, nodeConfigDocuments, SSM_ADVANCED_VALUE_LIMIT } from '../node-config';
import type { PtcConfig } from './schema';

/** One problem, located by its zod-style path. */
export interface NodeConfigLimitIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The node config documents an environment's stack would publish that do not fit an SSM parameter. */
export function publishedNodeConfigIssues(config: PtcConfig): NodeConfigLimitIssue[] {
  const all = targets(config);
  const issues: NodeConfigLimitIssue[] = [];
  for (const target of all) {
    const documents = nodeConfigDocuments(mirrorMapFor(config, target), target.region, { fallback: configFallback(config) });
    for (const [format, value] of Object.entries(documents)) {
      const size = Buffer.byteLength(value, 'utf8');
      if (size <= SSM_ADVANCED_VALUE_LIMIT) continue;
      const where = all.length > 1 ? ` of environment "${target.name}"` : '';
      issues.push({
        path: ['rules'],
        message: `the ${format} node config the stack${where} publishes would be ${size} bytes; an SSM parameter holds ${SSM_ADVANCED_VALUE_LIMIT}: mirror fewer upstream hosts (rules), or split the rules across configs`,
      });
    }
  }
  return issues;
}
