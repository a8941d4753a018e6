export * from './config.js';
export * from './all-in-one.js';
export * from './node.js';
export * from './self-tracing.js';
