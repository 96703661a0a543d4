/**
 * CloudFormation takes a StackSet's `TemplateBody` up to 51,200 bytes (AWS::CloudFormation::StackSet,
 * registry schema `TemplateBody.maxLength`; CreateStackSet API reference). The body holds every
 * node config document, so a config with many rules can pass it: predicted here from the same
 * renderers, so that reading the config refuses it with one line instead of a failed deploy.
 *
 * These checks render the node config (and load the YAML library), so they run where the config
 * is read from YAML (`parseConfigText`), not in the schema the Lambdas bundle.
 */
import type { PtcConfig } from '../config/schema';
import { managedPrefixes } from '../policy/settings';
import { copyPrefixes } from '../policy/managed-prefixes';
import { consumerNodeConfigDocuments } from './node-config';
import { consumerNodePolicyDocument } from './policy';
import { consumersOf, type OrganizationConsumer } from './resolve';
import type { ConsumerIssue } from './validate';

/** CloudFormation's limit on a StackSet's TemplateBody, in bytes. */
export const STACK_SET_TEMPLATE_BODY_LIMIT = 51200;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * An upper bound on the StackSet's template body (`consumerStackSetTemplate`, compact JSON): the
 * documents and the policy as JSON strings, the role names, and the template's own text, which
 * repeats the consumer's name and the hub host in descriptions, names and exports. The infra test
 * checks that it is at least the synthesized size and at most 1 KB above it.
 */
export function predictedStackSetTemplateBytes(config: PtcConfig, consumer: OrganizationConsumer): number {
  const documents = Object.values(consumerNodeConfigDocuments(config, consumer.hub)).reduce((n, d) => n + bytes(JSON.stringify(d)), 0);
  const policy = bytes(JSON.stringify(consumerNodePolicyDocument(consumer.hub, managedPrefixes(config), copyPrefixes(config))));
  const roles = consumer.nodeRoleNames.reduce((n, r) => n + bytes(JSON.stringify(r)) + 1, 0);
  return documents + policy + roles + 3000 + 20 * consumer.name.length + 12 * consumer.hub.registryHost.length;
}

/** A StackSet template body too large for CloudFormation. */
export function consumerTemplateIssues(config: PtcConfig): ConsumerIssue[] {
  const out: ConsumerIssue[] = [];
  // Each node config document a consumer publishes is the hub's own (same mirror map, same Region), which
  // publishedNodeConfigIssues (core/config/node-config-limits.ts) already measures against SSM's limit.
  const consumers = consumersOf(config);
  for (const c of consumers) {
    if (c.kind !== 'organization') continue;
    const size = predictedStackSetTemplateBytes(config, c);
    if (size > STACK_SET_TEMPLATE_BODY_LIMIT) {
      out.push({
        path: ['consumers', 'organizationalUnits'],
        message: `the StackSet ${c.stackSetName}'s template body would be about ${size} bytes (it holds the node config of every rule); CloudFormation takes at most ${STACK_SET_TEMPLATE_BODY_LIMIT}: use fewer rules`,
      });
    }
  }
  return out;
}
