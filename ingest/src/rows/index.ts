export * from './row-batch.js';
export * from './spans.js';
export * from './logs.js';
export * from './metrics.js';
export { ANY_TIME, InvalidItemError, LATEST_ROW_TIME_NS, TimeWindow } from './fields.js';
export { transcodeTraceRequest } from './span-wire.js';
