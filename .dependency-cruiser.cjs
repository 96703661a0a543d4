/**
 * The layers of ptc-autopilot, checked by dependency-cruiser (`npm run deps`, run by scripts/test.sh and so by CI).
 * docs/architecture.md describes them; in short, imports point down only:
 *
 *   cli/, infra/, index.ts          the CLI, the CDK constructs and stacks, the library entry point
 *   functions/<name>/               one folder per Lambda: a thin handler that builds the SDK clients
 *   engines/<name>/                 work that takes injected AWS SDK clients / registry clients (reconcile, ...)
 *   registry/                       the OCI registry HTTP client (node:http/https/tls)
 *   core/                           the pure domain: config, image references, rules, policies; no network I/O
 *
 * Tests, benchmarks and scripts may import anything; they are still in the graph, so a cycle through them fails too.
 * Type-only imports count (`tsPreCompilationDeps: true`): a cycle through `import type` is still a cycle.
 */

/** Node.js modules that do network I/O; the domain never touches them. */
const NETWORK_MODULES = '^(node:)?(http|https|http2|tls|net|dgram|dns)$';

/** Everything that sits above core/. */
const ABOVE_CORE = '^(registry|engines|functions|cli|infra|bench|scripts|test)/|^(index|version)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle, type-only imports included: a shape and a computation share a file (STYLE.md 15). Move the shared types into a types-only module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-nothing-above',
      severity: 'error',
      comment:
        'core/ is the bottom layer: it imports nothing from registry/, engines/, functions/, cli/, infra/, tests, benchmarks or scripts.',
      from: { path: '^core/' },
      to: { path: ABOVE_CORE },
    },
    {
      name: 'core-does-no-network-io',
      severity: 'error',
      comment: 'core/ is pure domain: network I/O lives in registry/ (the OCI client) and engines/ (injected SDK clients).',
      from: { path: '^core/' },
      to: { dependencyTypes: ['core'], path: NETWORK_MODULES },
    },
    {
      name: 'core-knows-no-aws-sdk',
      severity: 'error',
      comment:
        'core/ is pure domain: no AWS SDK, Powertools or CDK, not even their types. Work through SDK clients lives in engines/ and functions/.',
      from: { path: '^core/' },
      to: { path: '(^|/)node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|aws-cdk-lib|constructs|cdk-nag)/' },
    },
    {
      name: 'registry-imports-only-core',
      severity: 'error',
      comment: 'registry/ (the OCI registry client) sits just above core/ and imports only core/.',
      from: { path: '^registry/' },
      to: { path: '^(engines|functions|cli|infra|bench|scripts|test)/|^(index|version)\\.ts$' },
    },
    {
      name: 'engines-import-only-core-and-registry',
      severity: 'error',
      comment: 'engines/ take their clients injected and import only core/, registry/ and engines/.',
      from: { path: '^engines/' },
      to: { path: '^(functions|cli|infra|bench|scripts|test)/|^(index|version)\\.ts$' },
    },
    {
      name: 'functions-import-only-below',
      severity: 'error',
      comment:
        'A Lambda imports core/, registry/, engines/, functions/shared/ and its own folder; nothing of the CLI, the CDK app or another Lambda.',
      from: { path: '^functions/([^/]+)/' },
      to: {
        path: '^(functions|cli|infra|bench|scripts|test)/|^(index|version)\\.ts$',
        pathNot: ['^functions/$1/', '^functions/shared/'],
      },
    },
    {
      name: 'nobody-imports-functions',
      severity: 'error',
      comment:
        'Only the Lambdas themselves (and tests, benchmarks, scripts) import functions/; infra/lambda-bundling.ts bundles them by path ' +
        '(a string, not an import). What a construct and its Lambda share (the settings encoder and decoder, metric names, ' +
        'the sync-status constant) lives in core/lambda-contracts/; other shared code belongs in core/, registry/ or engines/. No exceptions.',
      from: { pathNot: ['^functions/', '^(test|bench|scripts)/'] },
      to: { path: '^functions/' },
    },
    {
      name: 'cli-and-infra-are-peers',
      severity: 'error',
      comment: 'The CLI and the CDK app sit side by side: neither imports the other (what both need lives below them).',
      from: { path: '^(cli|infra)/' },
      to: { path: '^(cli|infra)/', pathNot: '^$1/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file or package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|cdk\\.out|coverage|\\.tmp|\\.git)/|^test/fixtures/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
