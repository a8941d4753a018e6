/**
 * ClickHouse error codes that mean "this data can never be inserted as it is": retrying
 * the same rows cannot help, so the batch is split to find the request that carries them.
 * Everything else (network, memory, too many parts, timeouts) is transient. TOO_MANY_PARTS
 * (252) is never data: our inserts set throw_on_max_partitions_per_insert_block = 0, so it
 * only means merges are behind the inserts, and the same rows go in once they catch up.
 */
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  16, // NO_SUCH_COLUMN_IN_TABLE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  43, // ILLEGAL_TYPE_OF_ARGUMENT
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  407, // DECIMAL_OVERFLOW
  469, // VIOLATED_CONSTRAINT: a CHECK constraint of the table refuses these rows
]);

export function isDataError(err: unknown): boolean {
  const code = Number((err as { code?: unknown } | null)?.code);
  return Number.isInteger(code) && DATA_ERROR_CODES.has(code);
}

/** The writer could not store the data now; the client should retry (503 / UNAVAILABLE). */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}
