/**
 * Repository creation templates: a cache repository is born with its lifecycle policy, pull
 * permissions, tags, tag mutability and encryption, before anything else can react.
 */
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeNag } from '../nag';
import { Construct } from 'constructs';
import {
  canonicalJson,
  creationTemplateTags,
  desiredStateForPrefix,
  effectiveSettings,
  policyDocument,
  prefixRepositoryArn,
  type PtcConfig,
  type Target,
} from '../../core';
import { constructIds } from './cache-rules';

/** Properties of `CreationTemplates`. */
export interface CreationTemplatesProps {
  readonly config: PtcConfig;
  readonly target: Target;
  /**
   * What the templates apply to.
   * @default ['PULL_THROUGH_CACHE']
   */
  readonly appliedFor?: readonly ('PULL_THROUGH_CACHE' | 'REPLICATION' | 'CREATE_ON_PUSH')[];
  /**
   * Also one template per `copies` prefix, applied to `CREATE_ON_PUSH`: the first push of `ptc copy`
   * creates the repository with the same settings as a cache repository (docs/copy.md).
   * @default false
   */
  readonly copies?: boolean;
}

/** One `AWS::ECR::RepositoryCreationTemplate` per rule prefix, and the role ECR assumes to apply tags and KMS keys. */
export class CreationTemplates extends Construct {
  /** The templates, by prefix. */
  readonly templates: ReadonlyMap<string, ecr.CfnRepositoryCreationTemplate>;
  /** The role ECR assumes when it creates a repository from a template. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CreationTemplatesProps) {
    super(scope, id);
    const { config, target } = props;
    const prefixes = config.rules.map((r) => r.prefix);
    const copyPrefixes = props.copies ? config.copies.map((c) => c.prefix) : [];
    const repositoryArns = [...prefixes, ...copyPrefixes].map((p) => prefixRepositoryArn(target, p));

    this.role = new iam.Role(this, 'CreationRole', {
      assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com'),
      description: 'Assumed by ECR to create cache repositories with tags and KMS keys from the ptc-autopilot creation templates',
    });
    const appliedFor = [...(props.appliedFor ?? ['PULL_THROUGH_CACHE'])];
    this.role.addToPolicy(
      new iam.PolicyStatement({
        // ReplicateImage only where the templates also apply to replication.
        actions: ['ecr:CreateRepository', 'ecr:TagResource', ...(appliedFor.includes('REPLICATION') ? ['ecr:ReplicateImage'] : [])],
        resources: repositoryArns,
      }),
    );
    const kmsKeys = [
      ...new Set(
        [...prefixes, ...copyPrefixes].map((p) => effectiveSettings(config, p).encryption.kmsKeyArn).filter((k): k is string => !!k),
      ),
    ];
    if (kmsKeys.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({ actions: ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey'], resources: kmsKeys }),
      );
    }
    acknowledgeNag(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Repository ARNs end in <prefix>/* because cache repositories are created on first pull (copies on first push) under each managed prefix; the wildcard never leaves those prefixes.',
        appliesTo: repositoryArns.map((arn) => `Resource::${arn}`),
      },
    ]);

    const templates = new Map<string, ecr.CfnRepositoryCreationTemplate>();
    const add = (prefix: string, id: string, applied: readonly string[], description: string) => {
      const desired = desiredStateForPrefix(config, prefix, target.partition);
      const settings = effectiveSettings(config, prefix);
      const policy = policyDocument(desired.repositoryPolicyStatements);
      templates.set(
        prefix,
        new ecr.CfnRepositoryCreationTemplate(this, id, {
          prefix,
          appliedFor: [...applied],
          description,
          imageTagMutability: desired.imageTagMutability,
          imageTagMutabilityExclusionFilters:
            desired.imageTagMutabilityExclusionFilters.length > 0
              ? desired.imageTagMutabilityExclusionFilters.map((pattern) => ({
                  imageTagMutabilityExclusionFilterType: 'WILDCARD',
                  imageTagMutabilityExclusionFilterValue: pattern,
                }))
              : undefined,
          lifecyclePolicy: canonicalJson(desired.lifecyclePolicy),
          repositoryPolicy: policy ? canonicalJson(policy) : undefined,
          resourceTags: Object.entries(creationTemplateTags(desired.tags)).map(([key, value]) => ({ key, value })),
          encryptionConfiguration: {
            encryptionType: settings.encryption.type,
            kmsKey: settings.encryption.kmsKeyArn,
          },
          customRoleArn: this.role.roleArn,
        }),
      );
    };
    const ids = constructIds(prefixes);
    // A rule with seeds also takes pushes: `ptc copy` seeding a digest may be the first to write a cache repository.
    const seeded = new Set(config.rules.filter((r) => (r.seeds?.length ?? 0) > 0).map((r) => r.prefix));
    for (const prefix of prefixes)
      add(
        prefix,
        `${ids.get(prefix)}Template`,
        seeded.has(prefix) && !appliedFor.includes('CREATE_ON_PUSH') ? [...appliedFor, 'CREATE_ON_PUSH'] : appliedFor,
        `ptc-autopilot: settings for every cache repository under ${prefix}/`,
      );
    const copyIds = constructIds(copyPrefixes);
    for (const prefix of copyPrefixes)
      add(
        prefix,
        `${copyIds.get(prefix)}CopyTemplate`,
        ['CREATE_ON_PUSH'],
        `ptc-autopilot: settings for every copy repository under ${prefix}/, created when ptc copy pushes`,
      );
    this.templates = templates;
  }
}
