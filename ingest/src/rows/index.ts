export * from './row-batch.js';
export * from './spans.js';
export * from './logs.js';
export * from './metrics.js';
export { InvalidItemError } from './fields.js';
export { transcodeTraceRequest } from './span-wire.js';
