import {
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyScope, Role } from '@telemetryflow/contract';
import { ApiError } from './api-error.js';
import { CALLER_RESOLVER } from './tokens.js';

/**
 * What a route needs. Users get permissions from their role in the tenant
 * (viewer: read; editor: +write; admin: +admin; owner: +owner); API keys from their scopes
 * (read: read; admin: read, write, admin; ingest: none of these).
 */
export const PERMISSIONS = ['read', 'write', 'admin', 'owner'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Who is calling, resolved from the bearer credential (and `X-Tenant` for users). */
export interface Caller {
  tenantId: string;
  kind: 'key' | 'user';
  /** Set for users. */
  userId?: string;
  /** Set for users: the sign-in session their access token belongs to (`GET /api/v1/me/sessions`). */
  sessionId?: string;
  /** Set for API keys. */
  keyId?: string;
  /** A user's role in `tenantId`; absent for a user without any membership (`tenantId` is then ''). */
  role?: Role;
  /** An API key's scopes. */
  scopes?: readonly ApiKeyScope[];
  permissions: ReadonlySet<Permission>;
  /** Set for users who administer the whole instance (tenants' quotas), whatever their tenant role. */
  instanceAdmin?: boolean;
  /**
   * Who the caller is to a person reading the audit log: a user's e-mail address, a key's
   * prefix. Read with the credential, so recording an event needs no look-up (ADR 0022).
   */
  label?: string;
}

/**
 * Who is calling, from a bearer credential: the one thing the guard needs from whoever keeps
 * credentials (identity's control plane implements it).
 */
export interface CallerResolver {
  /**
   * Bearer token (API key or user access token) → the API caller; null when unknown, expired
   * or revoked. `tenant` (users only) picks one of the user's tenants.
   */
  resolveCaller(token: string, tenant?: string): Promise<Caller | null>;
}

const PERMISSION_KEY = 'tf:requiredPermission';
const PUBLIC_KEY = 'tf:public';
const AUTHENTICATED_KEY = 'tf:authenticated';

/** The permission a route needs: 401 without a valid credential, 403 without the permission. */
export const Requires = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);
/** A route that answers without credentials (login, health, public status pages). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
/**
 * Any valid credential, whatever its permissions (`/me`, the caller's tenants, creating a
 * tenant): the handler decides the rest. 401 without a valid credential.
 */
export const Authenticated = () => SetMetadata(AUTHENTICATED_KEY, true);

export type RouteAccess = Permission | 'public' | 'authenticated';

/** Route metadata, for the guard and for tests that enumerate every route. */
export function routeAccess(
  reflector: Reflector,
  targets: Parameters<Reflector['getAllAndOverride']>[1],
): RouteAccess | undefined {
  if (reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets)) return 'public';
  const permission = reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
  if (permission !== undefined) return permission;
  return reflector.getAllAndOverride<boolean | undefined>(AUTHENTICATED_KEY, targets) ? 'authenticated' : undefined;
}

export interface CallerRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  caller?: Caller;
}

/**
 * The tenant a user asks for: a `{tenantId}` path parameter (`/api/v1/tenants/{tenantId}/...`),
 * else the `X-Tenant` header, else none (the user's first membership).
 */
export function requestedTenant(req: CallerRequest): string | undefined {
  const fromPath = req.params?.tenantId;
  if (typeof fromPath === 'string' && fromPath !== '') return fromPath;
  const header = req.headers['x-tenant'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/**
 * The credential of a request: `Authorization: Bearer <token>`, or Basic with the token as the
 * password and any user name (what Grafana's Prometheus data source and Prometheus' own
 * clients offer).
 */
export function bearerToken(headers: CallerRequest['headers']): string | null {
  const header = headers.authorization;
  if (typeof header !== 'string') return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' ? null : password;
}

/**
 * Global guard, deny by default: a route must declare `@Requires(...)` or `@Public()`;
 * one that declares neither answers 403 so a forgotten decorator never opens a route.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(CALLER_RESOLVER) private readonly callers: CallerResolver,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const access = routeAccess(this.reflector, [ctx.getHandler(), ctx.getClass()]);
    if (access === 'public') return true;
    if (access === undefined) throw new ApiError(403, 'forbidden', 'this route declares no access rule');
    const req = ctx.switchToHttp().getRequest<CallerRequest>();
    const token = bearerToken(req.headers);
    if (!token)
      throw new ApiError(
        401,
        'unauthenticated',
        'missing credential (Authorization: Bearer <api key or access token>, or Basic with it as the password)',
      );
    let caller: Caller | null;
    try {
      caller = await this.callers.resolveCaller(token, requestedTenant(req));
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(503, 'unavailable', 'the credential store is unavailable; retry later');
    }
    if (!caller) throw new ApiError(401, 'unauthenticated', 'unknown, expired or revoked credential');
    // Set before the permission check: a refusal is audited with who was refused.
    req.caller = caller;
    if (access !== 'authenticated' && !caller.permissions.has(access))
      throw new ApiError(403, 'forbidden', `this credential lacks the "${access}" permission`);
    return true;
  }
}

/** The caller the guard resolved. */
export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<CallerRequest>().caller;
  if (!caller) throw new ApiError(401, 'unauthenticated', 'missing bearer credential');
  return caller;
});

/** The caller's tenant; it only ever comes from the credential. */
export const TenantId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const caller = ctx.switchToHttp().getRequest<CallerRequest>().caller;
  if (!caller) throw new ApiError(401, 'unauthenticated', 'missing bearer credential');
  if (caller.tenantId === '') throw new ApiError(403, 'no_tenant', 'this user is not a member of any tenant');
  return caller.tenantId;
});
