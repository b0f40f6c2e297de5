/**
 * The stack name the app deploys when `-c stackName=` says nothing, and the CLIs read by
 * default. A module of its own with no imports, so the CDK app reads it without loading
 * the SDK clients the CLIs use.
 */
export const DEFAULT_STACK_NAME = 'SparkifyWarehouse';
