// Query errors with the types the Prometheus HTTP API reports (errorType) and its messages.

export type QueryErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';

export class QueryError extends Error {
  constructor(
    readonly type: QueryErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export function tooManySamples(): QueryError {
  return new QueryError('execution', 'query processing would load too many samples into memory in query execution');
}

export function timedOut(env: string): QueryError {
  return new QueryError('timeout', `query timed out in ${env}`);
}

export function canceled(env: string): QueryError {
  return new QueryError('canceled', `query was canceled in ${env}`);
}

/** An evaluation error (Prometheus' errorf inside the evaluator): errorType "execution". */
export function executionError(message: string): QueryError {
  return new QueryError('execution', message);
}
