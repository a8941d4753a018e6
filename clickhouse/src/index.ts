export * from './client.js';
export * from './migrations.js';
export * from './tables.js';
export * from './insert.js';
export * from './row-binary.js';
export * from './retention.js';
export * from './rollups.js';
export * from './cluster-ddl.js';
export { RAW_SPAN_CLASS } from './span-class.js';
