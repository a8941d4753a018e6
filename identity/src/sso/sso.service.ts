import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SsoSettingsRequestSchema } from '@telemetryflow/contract';
import { type SsoAvailabilityDto, type SsoErrorCode, type SsoSettingsDto } from '@telemetryflow/contract';
import { ApiError, type Caller } from '@telemetryflow/http-kit';
import * as oidc from 'openid-client';
import type { z } from 'zod';
import type { ClientInfo } from '../auth/sessions.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { MembershipEntity, TenantEntity } from '../control-plane/entities.js';
import { CONTROL_PLANE, SSO_OPTIONS } from '../tokens.js';
import { claimValues, emailDomainAllowed, mappedRole, verifiedEmail } from './claim-rules.js';
import {
  DEFAULT_IDENTITY_PROVIDER_OPTIONS,
  describe,
  IdentityProviders,
  ProviderError,
  type ClientRegistration,
} from './identity-providers.js';
import { FLOW_TTL_SECONDS, flowCookie, flowFromCookies, type OidcFlow } from './oidc-flow-cookie.js';
import type { SecretBox } from '../control-plane/secret-box.js';
import { SsoSettingsEntity } from './sso-settings.entity.js';
import { resolveSsoMember } from './sso-membership.js';

/** Single sign-on's settings from the app's configuration. */
export interface SsoOptions {
  /** `TF_PUBLIC_URL`: the origin users reach the console and API at; unset, the request's own. */
  publicUrl?: string;
  /** `TF_SSO_ALLOW_HTTP_ISSUERS`: accept issuers on plain http. */
  allowHttpIssuers?: boolean;
  /** Seconds each request to a provider may take (default 10). */
  providerTimeoutSeconds?: number;
  /** Where refused sign-ins and provider failures are logged with their details. */
  log?: (msg: string) => void;
}

export const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

export type SsoSignIn =
  | { ok: true; tenantId: string; returnTo: string; tokens: { refreshToken: string }; userId: string; email: string }
  | { ok: false; code: SsoErrorCode; /** '' when the browser's flow named none. */ tenantId: string };

/** A refused sign-in: its code goes to the console, its detail to the log only. */
class Refusal extends Error {
  constructor(
    readonly code: SsoErrorCode,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * OIDC single sign-on of tenants: their settings (the client secret sealed, never answered),
 * the authorization request (code flow, PKCE S256, state, nonce) and the callback, which
 * verifies the ID token and starts a session exactly as a password sign-in does.
 */
@Injectable()
export class SsoService {
  private readonly providers: IdentityProviders;
  private readonly log: (msg: string) => void;

  constructor(
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
    @Optional() @Inject(SSO_OPTIONS) private readonly options: SsoOptions = {},
  ) {
    this.log = this.options.log ?? ((msg) => process.stderr.write(`${msg}\n`));
    this.providers = new IdentityProviders({
      allowHttpIssuers: this.options.allowHttpIssuers ?? DEFAULT_IDENTITY_PROVIDER_OPTIONS.allowHttpIssuers,
      timeoutSeconds: this.options.providerTimeoutSeconds ?? DEFAULT_IDENTITY_PROVIDER_OPTIONS.timeoutSeconds,
    });
  }

  /** The redirect URI to register at providers: under `TF_PUBLIC_URL`, else the request's origin. */
  redirectUri(requestOrigin: string): string {
    return `${(this.options.publicUrl ?? requestOrigin).replace(/\/+$/, '')}${CALLBACK_PATH}`;
  }

  /** The console's origin (where the sign-in ends). */
  consoleOrigin(requestOrigin: string): string {
    return (this.options.publicUrl ?? requestOrigin).replace(/\/+$/, '');
  }

  async get(caller: Caller, requestOrigin: string): Promise<SsoSettingsDto> {
    const row = await this.repo().findOneBy({ tenantId: caller.tenantId });
    if (!row) throw new ApiError(404, 'sso_not_configured', 'single sign-on is not set up for this tenant');
    return this.toDto(row, requestOrigin);
  }

  async put(
    caller: Caller,
    body: z.output<typeof SsoSettingsRequestSchema>,
    requestOrigin: string,
  ): Promise<SsoSettingsDto> {
    const tenantId = caller.tenantId;
    const existing = await this.repo().findOneBy({ tenantId });
    const box = this.secretBox();
    let clientSecret = body.clientSecret;
    if (clientSecret === undefined) {
      if (!existing)
        throw new ApiError(400, 'invalid_parameter', 'clientSecret: required when single sign-on is first set up', {
          parameter: 'clientSecret',
        });
      const opened = box.openOrNull(existing.clientSecretSealed, sealContext(tenantId));
      if (opened === null)
        throw new ApiError(
          400,
          'invalid_parameter',
          'clientSecret: the stored secret cannot be unsealed (TF_SECRET_KEY changed); enter it again',
          { parameter: 'clientSecret' },
        );
      clientSecret = opened;
    }
    if (body.breakGlassUserId !== null) {
      const member = await this.controlPlane.dataSource
        .getRepository(MembershipEntity)
        .findOneBy({ tenantId, userId: body.breakGlassUserId });
      if (member?.role !== 'owner')
        throw new ApiError(400, 'invalid_parameter', 'breakGlassUserId: must be an owner of this tenant', {
          parameter: 'breakGlassUserId',
        });
    }
    const issuer = body.issuer;
    try {
      await this.providers.discover({ issuer, clientId: body.clientId, clientSecret });
    } catch (err) {
      if (err instanceof ProviderError)
        throw new ApiError(400, 'sso_discovery_failed', `issuer: ${err.message}`, { parameter: 'issuer' });
      throw err;
    }
    const row: SsoSettingsEntity = {
      tenantId,
      issuer,
      clientId: body.clientId,
      clientSecretSealed: box.seal(clientSecret, sealContext(tenantId)),
      scopes: [...new Set(['openid', ...body.scopes])],
      allowedEmailDomains: [...new Set(body.allowedEmailDomains)],
      roleClaim: body.roleClaim,
      roleMapping: body.roleMapping,
      defaultRole: body.defaultRole,
      jitMembership: body.jitMembership,
      ssoRequired: body.ssoRequired,
      breakGlassUserId: body.breakGlassUserId,
      updatedAt: new Date(),
    };
    await this.repo().save(row);
    return this.toDto(row, requestOrigin);
  }

  async remove(caller: Caller): Promise<void> {
    const res = await this.repo().delete({ tenantId: caller.tenantId });
    if ((res.affected ?? 0) === 0)
      throw new ApiError(404, 'sso_not_configured', 'single sign-on is not set up for this tenant');
  }

  /** Whether the tenant signs in with SSO; an unknown tenant answers false, as one without SSO does. */
  async availability(tenantId: string): Promise<SsoAvailabilityDto> {
    return { enabled: await this.repo().existsBy({ tenantId }) };
  }

  /** The authorization request of a sign-in into `tenantId`, and the flow the callback will need. */
  async start(
    tenantId: string,
    requestOrigin: string,
    returnTo: string,
    secure: boolean,
  ): Promise<{ ok: true; url: string; cookie: string } | { ok: false; code: SsoErrorCode }> {
    try {
      const row = await this.repo().findOneBy({ tenantId });
      if (!row || !(await this.controlPlane.dataSource.getRepository(TenantEntity).existsBy({ id: tenantId })))
        throw new Refusal('sso_unavailable', `tenant ${JSON.stringify(tenantId)} has no single sign-on`);
      const box = this.secretBox();
      const config = await this.configuration(row, box);
      const flow: OidcFlow = {
        tenantId,
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
        redirectUri: this.redirectUri(requestOrigin),
        returnTo,
        expiresAt: Date.now() + FLOW_TTL_SECONDS * 1000,
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: flow.redirectUri,
        response_type: 'code',
        scope: row.scopes.join(' '),
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { ok: true, url: url.href, cookie: flowCookie(box, flow, secure) };
    } catch (err) {
      return { ok: false, code: this.refusal(tenantId, err) };
    }
  }

  /**
   * The callback: the flow of the browser's cookie (refused when missing, expired or tampered
   * with), the provider's answer as query parameters. Verifies state, the code exchange with the PKCE
   * verifier, the ID token (signature by the JWKS, iss, aud, exp, nonce), then who may sign
   * in, and starts a session.
   */
  async finish(cookieHeader: string | undefined, query: URLSearchParams, client: ClientInfo): Promise<SsoSignIn> {
    let tenantId = '?';
    try {
      const flow = flowFromCookies(this.secretBox(), cookieHeader, Date.now());
      tenantId = flow?.tenantId ?? '?';
      if (flow === null)
        throw new Refusal('sso_state', 'no sign-in under way in this browser (cookie missing or expired)');
      if (query.get('state') !== flow.state) throw new Refusal('sso_state', 'the state parameter does not match');
      const row = await this.repo().findOneBy({ tenantId });
      if (!row) throw new Refusal('sso_unavailable', 'single sign-on was removed during the sign-in');
      const config = await this.configuration(row, this.secretBox());
      const currentUrl = new URL(flow.redirectUri);
      currentUrl.search = query.toString();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          pkceCodeVerifier: flow.codeVerifier,
          idTokenExpected: true,
        });
      } catch (err) {
        const provider = err instanceof oidc.AuthorizationResponseError || err instanceof oidc.ResponseBodyError;
        throw new Refusal(provider ? 'sso_provider' : 'sso_token', describe(err));
      }
      const idClaims = tokens.claims() as Record<string, unknown> | undefined;
      if (!idClaims) throw new Refusal('sso_token', 'no ID token');
      const claims = await this.withUserInfo(config, tokens.access_token, idClaims, row.roleClaim);
      const email = verifiedEmail(claims);
      if (email === null) throw new Refusal('sso_email', `no verified email claim (sub ${String(claims.sub)})`);
      if (!emailDomainAllowed(email, row.allowedEmailDomains))
        throw new Refusal('sso_domain', `${email} is not in the allowed domains`);
      const role = mappedRole(claims, row);
      if (role === null)
        throw new Refusal('sso_no_role', `no mapped ${row.roleClaim ?? 'role'} value and no default role for ${email}`);
      const member = await resolveSsoMember(this.controlPlane.dataSource, {
        tenantId,
        email,
        role,
        jitMembership: row.jitMembership,
        breakGlassUserId: row.breakGlassUserId,
      });
      if (!member.ok) throw new Refusal(member.code, member.detail);
      const pair = await this.controlPlane.sessions.open(member.userId, client);
      return { ok: true, tenantId, returnTo: flow.returnTo, tokens: pair, userId: member.userId, email };
    } catch (err) {
      return { ok: false, code: this.refusal(tenantId, err), tenantId: tenantId === '?' ? '' : tenantId };
    }
  }

  /** Seconds a session's refresh token (the session cookie) lives. */
  refreshTtlSeconds(): number {
    return this.controlPlane.sessions.refreshTtlSeconds;
  }

  /**
   * The ID token's claims, completed from the UserInfo endpoint when it lacks the email or the
   * role claim (providers that keep ID tokens small, e.g. oidc-provider's conformIdTokenClaims);
   * the ID token's own values win, and UserInfo must be about the same subject.
   */
  private async withUserInfo(
    config: oidc.Configuration,
    accessToken: string,
    idClaims: Record<string, unknown>,
    roleClaim: string | null,
  ): Promise<Record<string, unknown>> {
    const complete =
      idClaims.email !== undefined && (roleClaim === null || claimValues(idClaims, roleClaim).length > 0);
    if (complete || !config.serverMetadata().userinfo_endpoint) return idClaims;
    let info: Record<string, unknown>;
    try {
      info = (await oidc.fetchUserInfo(config, accessToken, String(idClaims.sub))) as Record<string, unknown>;
    } catch (err) {
      throw new Refusal('sso_provider', `userinfo: ${describe(err)}`);
    }
    return { ...info, ...idClaims };
  }

  private refusal(tenantId: string, err: unknown): SsoErrorCode {
    if (err instanceof Refusal) {
      this.log(`sso sign-in into tenant ${JSON.stringify(tenantId)} refused (${err.code}): ${err.message}`);
      return err.code;
    }
    this.log(`sso sign-in into tenant ${JSON.stringify(tenantId)} failed: ${describe(err)}`);
    return err instanceof ProviderError ? 'sso_provider' : 'sso_failed';
  }

  private async configuration(row: SsoSettingsEntity, box: SecretBox): Promise<oidc.Configuration> {
    const clientSecret = box.openOrNull(row.clientSecretSealed, sealContext(row.tenantId));
    if (clientSecret === null)
      throw new Refusal('sso_failed', 'the client secret cannot be unsealed (TF_SECRET_KEY changed?): save it again');
    const reg: ClientRegistration = { issuer: row.issuer, clientId: row.clientId, clientSecret };
    return this.providers.configuration(reg);
  }

  private secretBox(): SecretBox {
    return this.controlPlane.secretBox;
  }

  private repo() {
    return this.controlPlane.dataSource.getRepository(SsoSettingsEntity);
  }

  private toDto(row: SsoSettingsEntity, requestOrigin: string): SsoSettingsDto {
    return {
      issuer: row.issuer,
      clientId: row.clientId,
      clientSecretSet: row.clientSecretSealed !== '',
      scopes: row.scopes,
      allowedEmailDomains: row.allowedEmailDomains,
      roleClaim: row.roleClaim,
      roleMapping: row.roleMapping,
      defaultRole: row.defaultRole,
      jitMembership: row.jitMembership,
      ssoRequired: row.ssoRequired,
      breakGlassUserId: row.breakGlassUserId,
      redirectUri: this.redirectUri(requestOrigin),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}

/** A sealed client secret belongs to its tenant's row. */
function sealContext(tenantId: string): string {
  return `sso-client-secret:${tenantId}`;
}
