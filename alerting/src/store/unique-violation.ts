/** Postgres refused a row because a unique constraint already holds its value (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { driverError?: { code?: string } }).driverError?.code === '23505';
}
