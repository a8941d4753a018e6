export * from './bus-connection.js';
export * from './topology.js';
export * from './dead-letters.js';
export * from './monitor-results-bus.js';
