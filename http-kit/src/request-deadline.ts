import type { ApiErrorBody } from '@telemetryflow/contract';
import { RETRY_AFTER_SECONDS } from './store-errors.js';

interface DeadlineReply {
  sent: boolean;
  raw: { once(event: 'close', listener: () => void): unknown; destroy(): void };
  code(status: number): DeadlineReply;
  header(name: string, value: string): DeadlineReply;
  send(body: unknown): unknown;
}

interface HookRegistry {
  addHook(name: 'onRequest', hook: (req: { id: unknown }, reply: DeadlineReply, done: () => void) => void): unknown;
}

/**
 * Every request is answered within `ms`: one still being handled then gets 503
 * `request_timeout` (retryable) and its connection is closed; one whose answer is still
 * being written (a client that does not read) loses its connection.
 */
export function answerWithin(server: HookRegistry, ms: number): void {
  server.addHook('onRequest', (req, reply, done) => {
    const timer = setTimeout(() => {
      if (reply.sent) {
        reply.raw.destroy();
        return;
      }
      const body: ApiErrorBody = {
        error: {
          code: 'request_timeout',
          message: `no answer within ${ms} ms; retry later`,
          requestId: String(req.id),
        },
      };
      reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).header('connection', 'close').send(body);
    }, ms);
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}
