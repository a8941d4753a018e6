export * from './otlp-types.js';
export * from './otlp-codec.js';
export * from './attributes.js';
export * from './api.js';
export * from './pipeline.js';
export * from './bus.js';
export * from './identity.js';
