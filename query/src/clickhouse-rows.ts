// Shared helpers for turning ClickHouse JSON rows into API DTOs.
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import type { ScopeDto } from '@telemetryflow/contract';
import { storedToKeyValuesJson } from '@telemetryflow/otlp';

/** Attribute, resource and scope columns as span and log queries select them. */
export interface AttributedRow {
  Attributes: Record<string, string>;
  AttributeTypes: Record<string, string>;
  ResourceAttributes: Record<string, string>;
  ResourceAttributeTypes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  ScopeAttributes: Record<string, string>;
  ScopeAttributeTypes: Record<string, string>;
  ScopeDroppedAttributesCount: number | string;
}

/** The columns of AttributedRow, as span and log queries select them. */
export const ATTRIBUTED_COLUMNS =
  'Attributes, AttributeTypes, ResourceAttributes, ResourceAttributeTypes, ScopeName, ScopeVersion, ScopeAttributes, ScopeAttributeTypes, ScopeDroppedAttributesCount';

export function scopeDto(r: AttributedRow): ScopeDto {
  return {
    name: r.ScopeName,
    version: r.ScopeVersion,
    attributes: storedToKeyValuesJson(r.ScopeAttributes, r.ScopeAttributeTypes),
    droppedAttributesCount: Number(r.ScopeDroppedAttributesCount),
  };
}

/** All-zero ids mean "absent" (root span, log without trace): the API returns "". */
export function idOrEmpty(hex: string): string {
  return /^0*$/.test(hex) ? '' : hex;
}

/** Runs a parameterized SELECT and returns its rows. Values go only through `params`. */
export async function selectRows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** ClickHouse 64-bit integers arrive as strings. */
export function toNumber(v: string | number): number {
  return typeof v === 'number' ? v : Number(v);
}
