/**
 * Consumers (issue 14): other accounts whose nodes pull through a hub account's cache. The config
 * key, who they are and where their side deploys, the node policy they get, the node config they
 * publish, and what the hub must grant them.
 */
export * from './schema';
export * from './resolve';
export * from './policy';
export * from './principals';
export * from './validate';
export * from './template-size';
export * from './node-config';
export * from './plan';
