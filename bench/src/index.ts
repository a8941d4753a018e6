export * from './payloads.js';
export * from './stats.js';
export type * from './protocol.js';
