export * from './rows/index.js';
export * from './decode-task.js';
export * from './insert-errors.js';
export * from './clickhouse-writer.js';
export * from './insert-batcher.js';
export * from './ingest-pipeline.js';
