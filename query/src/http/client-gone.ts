// Queries of a request whose client went away (the console left the page) need not run: the
// embedded engine answers one query at a time, and the next page's requests would wait for them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ApiError } from '@telemetryflow/http-kit';
import { finalize, type Observable } from 'rxjs';

const clientGone = new AsyncLocalStorage<AbortSignal>();

/** Aborted when the client of the request under way closed its connection before the answer; none outside a request. */
export function clientGoneSignal(): AbortSignal | undefined {
  return clientGone.getStore();
}

/** A query's failure after its client went away: no one reads the answer, and it is no server error (nginx's 499). */
export function unlessClientGone(err: unknown): unknown {
  return clientGoneSignal()?.aborted
    ? new ApiError(499, 'client_closed_request', 'the client closed the request')
    : err;
}

interface RawReply {
  raw: {
    writableFinished: boolean;
    once(event: 'close', fn: () => void): unknown;
    off(event: 'close', fn: () => void): unknown;
  };
}

/** Runs each HTTP handler with a signal that a closed client connection aborts (clientGoneSignal). */
@Injectable()
export class ClientGoneInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const reply = ctx.switchToHttp().getResponse<RawReply>();
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) gone.abort();
    };
    reply.raw.once('close', onClose);
    return clientGone.run(gone.signal, () => next.handle()).pipe(finalize(() => reply.raw.off('close', onClose)));
  }
}
