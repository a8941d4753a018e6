import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { CONTROL_PLANE, type ControlPlane } from '@telemetryflow/identity';
import { CLICKHOUSE } from '../http/tokens.js';
import type { SealedAuditRecord } from './audit-chain.js';

export interface AuditFilter {
  /** Actor id, e-mail address or key prefix. */
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: string;
  fromMs?: number;
  toMs?: number;
}

const COLUMNS = `toString(Id) AS id, TenantId AS tenantId, Seq AS seq, toUnixTimestamp64Milli(Time) AS timeMs,
  ActorType AS actorType, ActorId AS actorId, ActorLabel AS actorLabel, ClientAddress AS clientAddress,
  UserAgent AS userAgent, Action AS action, ResourceType AS resourceType, ResourceId AS resourceId,
  ResourceName AS resourceName, Outcome AS outcome, Status AS status, RequestId AS requestId,
  Before AS before, After AS after, PrevHash AS prevHash, Hash AS hash`;

type Row = Omit<SealedAuditRecord, 'seq' | 'timeMs'> & { seq: string | number; timeMs: string | number };

function toRecord(r: Row): SealedAuditRecord {
  return { ...r, seq: Number(r.seq), timeMs: Number(r.timeMs), status: Number(r.status) };
}

/** Reads a tenant's audit events from ClickHouse; every value is a bound parameter. */
@Injectable()
export class AuditEventsRepository {
  constructor(
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
  ) {}

  /**
   * The last seq ClickHouse must hold for the tenant now: the chain head's, or one before the
   * oldest sealed event still waiting in the outbox. 0 when the tenant has no events.
   */
  async sealedThrough(tenant: string): Promise<number> {
    const [row] = (await this.controlPlane.dataSource.query(
      `SELECT COALESCE((SELECT min(seq) - 1 FROM audit_outbox WHERE tenant_id = $1 AND seq IS NOT NULL),
                       (SELECT seq FROM audit_chain_heads WHERE tenant_id = $1), 0)::text AS seq`,
      [tenant],
    )) as { seq: string }[];
    return Number(row?.seq ?? 0);
  }

  /** Newest first, `limit` events with seq below `beforeSeq`. */
  async list(tenant: string, filter: AuditFilter, limit: number, beforeSeq?: number): Promise<SealedAuditRecord[]> {
    const where = ['TenantId = {tenant:String}'];
    const params: Record<string, unknown> = { tenant, limit };
    if (filter.actor !== undefined) {
      where.push('(ActorId = {actor:String} OR ActorLabel = {actor:String})');
      params.actor = filter.actor;
    }
    for (const [key, column] of [
      ['action', 'Action'],
      ['resourceType', 'ResourceType'],
      ['resourceId', 'ResourceId'],
      ['outcome', 'Outcome'],
    ] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${column} = {${key}:String}`);
      params[key] = filter[key];
    }
    if (filter.fromMs !== undefined) {
      where.push('Time >= fromUnixTimestamp64Milli({fromMs:Int64})');
      params.fromMs = filter.fromMs;
    }
    if (filter.toMs !== undefined) {
      where.push('Time < fromUnixTimestamp64Milli({toMs:Int64})');
      params.toMs = filter.toMs;
    }
    if (beforeSeq !== undefined) {
      where.push('Seq < {beforeSeq:UInt64}');
      params.beforeSeq = beforeSeq;
    }
    return this.select(
      `SELECT ${COLUMNS} FROM audit_events FINAL WHERE ${where.join(' AND ')} ORDER BY Seq DESC LIMIT {limit:UInt32}`,
      params,
    );
  }

  /**
   * Newest first, the events of every tenant with the user as actor, and sign-in attempts that
   * named their e-mail address before anyone was signed in (actor id unknown then).
   */
  async byUser(userId: string, email: string, limit: number): Promise<SealedAuditRecord[]> {
    return this.select(
      `SELECT ${COLUMNS} FROM audit_events FINAL
        WHERE ActorType = 'user' AND (ActorId = {userId:String} OR (ActorId = '' AND ActorLabel = {email:String}))
        ORDER BY Time DESC, TenantId, Seq DESC LIMIT {limit:UInt32}`,
      { userId, email, limit },
    );
  }

  /** Oldest first, the events of a time range with seq above `afterSeq`, for the chain check. */
  async chainPage(
    tenant: string,
    range: { fromMs?: number; toMs?: number },
    limit: number,
    afterSeq: number,
  ): Promise<SealedAuditRecord[]> {
    return this.select(
      `SELECT ${COLUMNS} FROM audit_events FINAL
        WHERE TenantId = {tenant:String} AND Seq > {afterSeq:UInt64}
          AND Time >= fromUnixTimestamp64Milli({fromMs:Int64}) AND Time < fromUnixTimestamp64Milli({toMs:Int64})
        ORDER BY Seq LIMIT {limit:UInt32}`,
      { tenant, afterSeq, limit, fromMs: range.fromMs ?? 0, toMs: range.toMs ?? 8_000_000_000_000 },
    );
  }

  private async select(query: string, params: Record<string, unknown>): Promise<SealedAuditRecord[]> {
    const rs = await this.clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
    return (await rs.json<Row>()).map(toRecord);
  }
}
