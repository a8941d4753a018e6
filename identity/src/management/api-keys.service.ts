import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyDto, ApiKeyScope, CreateApiKeyRequest, CreatedApiKeyDto } from '@telemetryflow/contract';
import { createApiKey } from '../control-plane/accounts.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { grantableScopes } from '../control-plane/permissions.js';
import { ApiError, notFound, type Caller } from '@telemetryflow/http-kit';
import { CONTROL_PLANE } from '../tokens.js';

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_at: Date;
  last_used_at: Date | null;
  user_id: string | null;
  user_email: string | null;
  key_id: string | null;
  key_name: string | null;
}

function toDto(r: KeyRow): ApiKeyDto {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    createdBy:
      r.user_id !== null
        ? { kind: 'user', id: r.user_id, name: r.user_email ?? '' }
        : r.key_id !== null
          ? { kind: 'key', id: r.key_id, name: r.key_name ?? '' }
          : null,
  };
}

/** API keys of the caller's tenant. */
@Injectable()
export class ApiKeysService {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  async create(caller: Caller, tenantId: string, req: CreateApiKeyRequest): Promise<CreatedApiKeyDto> {
    const scopes = [...new Set(req.scopes)];
    assertWithinCeiling(caller, scopes);
    const created = await createApiKey(this.controlPlane.dataSource, {
      tenantId,
      name: req.name,
      scopes,
      createdBy: caller.kind === 'user' ? { userId: caller.userId! } : { keyId: caller.keyId! },
    });
    return { id: created.id, name: req.name, scopes, prefix: created.prefix, key: created.key };
  }

  /** Active keys, oldest first; never their secret. */
  async list(tenantId: string): Promise<ApiKeyDto[]> {
    return (await this.rows(tenantId)).map(toDto);
  }

  /** Revokes a key of the tenant; a key beyond the caller's own scopes is refused like creating it would be. */
  async revoke(caller: Caller, tenantId: string, id: string): Promise<void> {
    const [key] = await this.rows(tenantId, id);
    if (!key) throw notFound(`no API key ${JSON.stringify(id)}`);
    assertWithinCeiling(caller, key.scopes);
    if (!(await this.controlPlane.revokeApiKey(tenantId, id))) throw notFound(`no API key ${JSON.stringify(id)}`);
  }

  private async rows(tenantId: string, id?: string): Promise<KeyRow[]> {
    return (await this.controlPlane.dataSource.query(
      `SELECT k.id, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at,
              u.id AS user_id, u.email AS user_email, c.id AS key_id, c.name AS key_name
         FROM api_keys k
         LEFT JOIN users u ON u.id = k.created_by_user_id
         LEFT JOIN api_keys c ON c.id = k.created_by_key_id
        WHERE k.tenant_id = $1 AND k.revoked_at IS NULL AND ($2::uuid IS NULL OR k.id = $2)
        ORDER BY k.created_at, k.id`,
      [tenantId, id ?? null],
    )) as KeyRow[];
  }
}

function assertWithinCeiling(caller: Caller, scopes: readonly ApiKeyScope[]): void {
  const allowed = grantableScopes(caller);
  const excess = scopes.filter((s) => !allowed.includes(s));
  if (excess.length > 0) {
    throw new ApiError(
      403,
      'scope_exceeds_caller',
      `this credential cannot grant or revoke the scope(s) ${excess.join(', ')}; it may grant ${allowed.join(', ') || 'none'}`,
      {
        excess,
        grantable: allowed,
      },
    );
  }
}
