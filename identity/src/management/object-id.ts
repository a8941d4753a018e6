import { notFound } from '@telemetryflow/http-kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id of a UUID-keyed object; anything else cannot name one, so it is a 404 like an unknown id. */
export function objectId(id: string, what: string): string {
  if (!UUID.test(id)) throw notFound(`no ${what} ${JSON.stringify(id)}`);
  return id.toLowerCase();
}
