import { createParamDecorator, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Credential } from '@telemetryflow/schemas';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { ApiError } from './api-error.js';
import { CONTROL_PLANE } from './tokens.js';

type Scope = Credential['scopes'][number];
const SCOPE_KEY = 'tf:requiredScope';

/** The scope a route needs; the guard answers 401 without a valid key and 403 without the scope. */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);

interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  credential?: Credential;
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (scope === undefined) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw new ApiError(401, 'unauthenticated', 'missing bearer credential (Authorization: Bearer <api key>)');
    let credential: Credential | null;
    try {
      credential = await this.controlPlane.authenticate(m[1]!);
    } catch {
      throw new ApiError(503, 'unavailable', 'the credential store is unavailable; retry later');
    }
    if (!credential) throw new ApiError(401, 'unauthenticated', 'unknown or revoked credential');
    if (!credential.scopes.includes(scope)) throw new ApiError(403, 'forbidden', `this credential lacks the "${scope}" scope`);
    req.credential = credential;
    return true;
  }
}

/** The caller's tenant, from the credential the guard resolved. */
export const TenantId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const credential = ctx.switchToHttp().getRequest<AuthedRequest>().credential;
  if (!credential) throw new ApiError(401, 'unauthenticated', 'missing bearer credential');
  return credential.tenantId;
});
