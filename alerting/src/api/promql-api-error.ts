import { ApiError } from '@telemetryflow/http-kit';
import { ERROR_STATUS, type QueryError } from '@telemetryflow/promql';

/**
 * A PromQL error as the API answers it: Prometheus' status and message; bad data names the
 * expression's parameter, other errors keep Prometheus' error type as their code.
 */
export function promqlApiError(err: QueryError, parameter: string): ApiError {
  if (err.type === 'bad_data')
    return new ApiError(400, 'invalid_parameter', `${parameter}: ${err.message}`, { parameter });
  return new ApiError(ERROR_STATUS[err.type], err.type, err.message);
}
