export * from './client.js';
export * from './migrations.js';
export * from './tables.js';
