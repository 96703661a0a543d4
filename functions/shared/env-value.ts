/**
 * The Lambdas' settings variables are packed as `core/env-value` defines, where the config checks
 * also predict their size (`core/config/deploy-limits`).
 */
export { ENV_VALUE_LIMIT, EnvValueError, packJson, unpackJson } from '../../core/env-value';
