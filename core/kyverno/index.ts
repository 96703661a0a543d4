/**
 * The Kyverno policy generator: a cluster-wide alternative to rewriting manifests, built from
 * the resolver's routing table.
 */
export { imagePatterns, literal, type ImagePattern, type ImagePatternOptions } from './patterns';
export {
  kyvernoPolicy,
  kyvernoPolicyYaml,
  matchExpression,
  nameLengthExpression,
  replaceExpression,
  type KyvernoPolicyOptions,
} from './policy';
