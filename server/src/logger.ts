// Structured JSON logs on stdout (pino), one logger per process; components log through
// children so every line names its source.
import { pino, type Logger } from 'pino';
import type { ReceiverLog } from '@telemetryflow/collector';
import type { RequestLogEntry } from '@telemetryflow/query/app';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** The logging a composition needs: plain messages, and the receivers' leveled log. */
export interface NodeLog {
  info(message: string): void;
  warn(message: string): void;
  receivers: ReceiverLog;
  /** The API's one line per request (5xx at error level). */
  request(entry: RequestLogEntry): void;
}

export function nodeLogOf(logger: Logger): NodeLog {
  const collector = logger.child({ component: 'collector' });
  const api = logger.child({ component: 'api' });
  return {
    request: (entry) => (entry.status >= 500 ? api.error(entry, 'request') : api.info(entry, 'request')),
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    receivers: {
      warn: (message, fields) => collector.warn(fields ?? {}, message),
      error: (message, fields) => collector.error(fields ?? {}, message),
    },
  };
}

/** For tests and embedding: every message to one function. */
export function nodeLogTo(write: (message: string) => void): NodeLog {
  return {
    request: (entry) => write(`request ${JSON.stringify(entry)}`),
    info: write,
    warn: write,
    receivers: {
      warn: (message, fields) => write(`${message} ${JSON.stringify(fields ?? {})}`),
      error: (message, fields) => write(`${message} ${JSON.stringify(fields ?? {})}`),
    },
  };
}
