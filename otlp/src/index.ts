export * from './otlp-types.js';
export * from './otlp-codec.js';
export type { RefusedItems } from './otlp-json.js';
export * from './attributes.js';
export * from './pipeline.js';
export * from './bus.js';
export * from './remote-write.js';
