import { randomBytes, randomUUID } from 'node:crypto';
import { durationMs } from '@telemetryflow/contract';
import type { MonitorDto, MonitorInput } from '@telemetryflow/contract/monitors';
import { ApiError, notFound } from '@telemetryflow/http-kit';
import type { DataSource, EntityManager } from 'typeorm';
import type { AddressGuard } from '../delivery/address-guard.js';
import { assertLiteralAllowed, BlockedAddressError } from '../delivery/guarded-lookup.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { MonitorEntity, MonitorRunEntity } from './monitor-entities.js';
import type { MonitorResultsReader, MonitorSummary } from './monitor-results-reader.js';
import { literalTargets } from './monitor-targets.js';

/** Room after a check's timeout for writing its result before its lease may be taken over. */
const LEASE_MARGIN_MS = 15_000;

export const MAX_MONITORS_PER_TENANT = 5000;

function heartbeatToken(): string {
  return randomBytes(24).toString('base64url');
}

function toDto(m: MonitorEntity, run: MonitorRunEntity | null, s: MonitorSummary | undefined): MonitorDto {
  return {
    id: m.id,
    name: m.name,
    config: m.config,
    enabled: m.enabled,
    status: !m.enabled ? 'paused' : (run?.status ?? 'pending'),
    since: (run?.statusSince ?? m.updatedAt).toISOString(),
    lastCheck: s?.lastCheck ?? null,
    uptime24h: s?.uptime24h ?? null,
    latencyP95Ms: s?.latencyP95Ms ?? null,
    ...(m.heartbeatToken !== null ? { heartbeatToken: m.heartbeatToken } : {}),
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/** Monitors of a tenant in Postgres; a monitor's run row (its lease, schedule and state) lives and dies with it. */
export class MonitorsService {
  constructor(
    private readonly ds: DataSource,
    private readonly guard: AddressGuard,
    private readonly results: MonitorResultsReader,
    private readonly now: () => number = Date.now,
  ) {}

  async list(tenant: string): Promise<MonitorDto[]> {
    const rows = await this.ds
      .getRepository(MonitorEntity)
      .find({ where: { tenantId: tenant }, order: { name: 'ASC' } });
    return this.withState(tenant, rows);
  }

  async get(tenant: string, id: string): Promise<MonitorDto> {
    return (await this.withState(tenant, [await this.find(this.ds.manager, tenant, id)]))[0]!;
  }

  /** 404 unless the tenant has the monitor (without reading its state). */
  async assertExists(tenant: string, id: string): Promise<void> {
    await this.find(this.ds.manager, tenant, id);
  }

  async create(tenant: string, input: MonitorInput): Promise<MonitorDto> {
    this.assertTargetsAllowed(input);
    const id = randomUUID();
    await this.named(input.name, () =>
      this.ds.transaction(async (em) => {
        const count = await em.getRepository(MonitorEntity).countBy({ tenantId: tenant });
        if (count >= MAX_MONITORS_PER_TENANT)
          throw new ApiError(400, 'invalid_parameter', `at most ${MAX_MONITORS_PER_TENANT} monitors per tenant`);
        const at = new Date(this.now());
        await em.getRepository(MonitorEntity).insert({
          id,
          tenantId: tenant,
          name: input.name,
          enabled: true,
          config: input,
          heartbeatToken: input.check.kind === 'heartbeat' ? heartbeatToken() : null,
          createdAt: at,
          updatedAt: at,
        });
        await em.getRepository(MonitorRunEntity).insert(this.freshRun(id, input, at));
      }),
    );
    return this.get(tenant, id);
  }

  /** A changed check starts over: pending, checked at once. */
  async update(tenant: string, id: string, input: MonitorInput): Promise<MonitorDto> {
    this.assertTargetsAllowed(input);
    await this.named(input.name, () =>
      this.ds.transaction(async (em) => {
        const m = await this.find(em, tenant, id);
        const at = new Date(this.now());
        const token =
          input.check.kind !== 'heartbeat'
            ? null
            : m.config.check.kind === 'heartbeat'
              ? m.heartbeatToken
              : heartbeatToken();
        await em
          .getRepository(MonitorEntity)
          .update({ id }, { name: input.name, config: input, heartbeatToken: token, updatedAt: at });
        await em.getRepository(MonitorRunEntity).save(this.freshRun(id, input, at));
      }),
    );
    return this.get(tenant, id);
  }

  async remove(tenant: string, id: string): Promise<void> {
    const res = await this.ds.getRepository(MonitorEntity).delete({ tenantId: tenant, id });
    if (!res.affected) throw notFound(`no monitor ${id}`);
  }

  /** Paused monitors are not checked; resumed ones start over as pending, checked at once. */
  async setEnabled(tenant: string, id: string, enabled: boolean): Promise<MonitorDto> {
    await this.ds.transaction(async (em) => {
      const m = await this.find(em, tenant, id);
      if (m.enabled === enabled) return;
      const at = new Date(this.now());
      await em.getRepository(MonitorEntity).update({ id }, { enabled, updatedAt: at });
      if (enabled) await em.getRepository(MonitorRunEntity).save(this.freshRun(id, m.config, at));
    });
    return this.get(tenant, id);
  }

  /**
   * A job's push; false when no enabled heartbeat monitor has the token. A beat that changes
   * the state (the first, a recovery, a reported failure) makes the monitor due at once, so the
   * change shows within a poll instead of at its next slot.
   */
  async beat(token: string, ok: boolean): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.ds.query(
      `UPDATE monitor_runs r SET last_beat_at = to_timestamp($3::double precision / 1000), last_beat_ok = $2,
         due_at = CASE WHEN r.status <> 'up' OR NOT $2 THEN LEAST(r.due_at, to_timestamp($3::double precision / 1000))
                  ELSE r.due_at END
       FROM monitors m WHERE m.heartbeat_token = $1 AND m.enabled AND r.monitor_id = m.id`,
      [token, ok, this.now()],
    );
    return affected === 1;
  }

  /** The ids of the tenant's monitors among `ids` (for uptime of status-page components). */
  async ownedIds(tenant: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.ds
      .getRepository(MonitorEntity)
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where('m.tenant_id = :tenant AND m.id IN (:...ids)', { tenant, ids })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  private freshRun(id: string, input: MonitorInput, at: Date): MonitorRunEntity {
    return {
      monitorId: id,
      dueAt: at,
      holder: null,
      leaseUntil: null,
      leaseMs: durationMs(input.timeout) + LEASE_MARGIN_MS,
      lastRunAt: null,
      status: 'pending',
      consecutiveFailures: 0,
      statusSince: at,
      lastBeatAt: null,
      lastBeatOk: null,
    };
  }

  /** A target written as an address the guard refuses is refused now (names are judged when the probe connects). */
  private assertTargetsAllowed(input: MonitorInput): void {
    for (const host of literalTargets(input.check)) {
      try {
        assertLiteralAllowed(this.guard, host);
      } catch (err) {
        if (err instanceof BlockedAddressError)
          throw new ApiError(
            400,
            'invalid_parameter',
            `check: target address not allowed: ${host} (${err.message.replace(/^blocked target: /, '')})`,
            { parameter: 'check' },
          );
        throw err;
      }
    }
  }

  private async named<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError(409, 'conflict', `a monitor named ${JSON.stringify(name)} exists`);
      throw err;
    }
  }

  private async find(em: EntityManager, tenant: string, id: string): Promise<MonitorEntity> {
    const m = await em.getRepository(MonitorEntity).findOneBy({ tenantId: tenant, id });
    if (!m) throw notFound(`no monitor ${id}`);
    return m;
  }

  private async withState(tenant: string, rows: MonitorEntity[]): Promise<MonitorDto[]> {
    const ids = rows.map((r) => r.id);
    const [runs, summaries] = await Promise.all([
      ids.length === 0
        ? []
        : this.ds
            .getRepository(MonitorRunEntity)
            .createQueryBuilder('r')
            .where('r.monitor_id IN (:...ids)', { ids })
            .getMany(),
      this.results.summaries(tenant, ids, this.now()),
    ]);
    const byId = new Map(runs.map((r) => [r.monitorId, r]));
    return rows.map((m) => toDto(m, byId.get(m.id) ?? null, summaries.get(m.id)));
  }
}
