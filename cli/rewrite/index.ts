/**
 * Rewriting image references in files: Kubernetes manifests and Helm values, editing only the
 * image scalars so everything else in the file stays byte for byte.
 */
export { rewriteManifests, ManifestSyntaxError, CONTAINER_LISTS } from './manifests';
export { rewriteHelmValues } from './helm-values';
export { isKustomizationFile, renderedImages, rewriteKustomizations, type KustomizationOutcome } from './kustomize';
export { renderSummary, totals, type FileOutcome, type RewriteTotals } from './summary';
export { resolveContext, RegistryOptionError, type RegistryOptions } from './context';
export type { ImageChange, ImageFinding, RewriteResult, Resolve } from './types';
export { checkDecodedText, decodeText, firstInvalidUtf8, InputEncodingError } from './decode';
