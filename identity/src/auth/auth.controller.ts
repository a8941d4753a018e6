import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ChallengeTokenRequestSchema,
  EnrolledSignInSchema,
  LoginRequestSchema,
  MfaVerifyRequestSchema,
  RefreshRequestSchema,
  SignInPasswordRequestSchema,
  SignInResultSchema,
  SignInTotpConfirmRequestSchema,
  TotpEnrolmentSchema,
  WebAuthnOptionsSchema,
  type AccessToken,
  type ApiSuccess,
  type ChallengeTokenRequest,
  type EnrolledSignIn,
  type LoginRequest,
  type MfaVerifyRequest,
  type RefreshRequest,
  type SignInPasswordRequest,
  type SignInResult,
  type SignInTotpConfirmRequest,
  type TokenPair,
  type TotpEnrolmentDto,
  type WebAuthnOptionsDto,
} from '@telemetryflow/contract';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { ApiError, ApiRoute, Public, RateLimit, rateLimited, ValidBody } from '@telemetryflow/http-kit';
import { CONTROL_PLANE, LOGIN_THROTTLE } from '../tokens.js';
import type { LoginThrottle } from './login-throttle.js';
import { clearedRefreshCookie, refreshCookie, refreshTokenFromCookies } from './refresh-cookie.js';

interface ClientRequest {
  /** The client address (X-Forwarded-For of trusted proxies, else the TCP peer). */
  ip: string;
  /** `https` over TLS, or when a trusted proxy says so (X-Forwarded-Proto). */
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
}

function clientInfo(req: ClientRequest): { address: string; userAgent?: string } {
  const userAgent = req.headers['user-agent'];
  return { address: req.ip, ...(typeof userAgent === 'string' ? { userAgent } : {}) };
}

interface Reply {
  header(name: string, value: string): unknown;
}

/**
 * The refresh token of a request that gives none in its body: the session cookie. Only for a
 * JSON request, which another origin cannot send without a CORS preflight this API never grants.
 */
function cookieToken(req: ClientRequest): string {
  if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
    throw new ApiError(415, 'unsupported_media_type', 'send a JSON body (an empty object to use the session cookie)');
  }
  const token = refreshTokenFromCookies(typeof req.headers.cookie === 'string' ? req.headers.cookie : undefined);
  if (!token)
    throw new ApiError(
      401,
      'refresh_token_missing',
      'no refresh token: give refreshToken, or sign in again (no session cookie)',
    );
  return token;
}

/**
 * User sessions. Public: the body or the session cookie carries the credential (password or
 * refresh token). Login also sets the refresh token as an HttpOnly cookie; refresh and logout
 * without a token in the body use that cookie, and a refresh by cookie answers the next
 * refresh token only in the cookie, so browser scripts never hold one.
 */
@Controller('api/v1/auth')
@Public()
export class AuthController {
  constructor(
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
  ) {}

  @Post('login')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      'Sign in with email and password: the tokens of a new session (GET /api/v1/me/sessions; the refresh token also as the HttpOnly session cookie), or the next step with a short-lived, single-use challenge token: `mfa` (a second factor, POST /api/v1/auth/mfa), `password_change` (an admin set the password, POST /api/v1/auth/password) or `mfa_enrolment` (a tenant requires MFA, POST /api/v1/auth/mfa/totp/enrol). Failures of one email from one address slow its next attempts down; repeated failures of an account or an address lock it out with back-off (429 with Retry-After, on every replica)',
    body: LoginRequestSchema,
    response: SignInResultSchema,
    status: 200,
    tags: ['auth'],
  })
  async login(
    @ValidBody() body: LoginRequest,
    @Req() req: ClientRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<ApiSuccess<SignInResult>> {
    const wait = this.throttle.wait(body.email, req.ip, Date.now());
    if (wait > 0) throw rateLimited(reply, wait);
    let result: SignInResult;
    try {
      result = await this.controlPlane.signIn.password(body.email, body.password, clientInfo(req));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials')
        this.throttle.failed(body.email, req.ip, Date.now());
      throw err;
    }
    this.throttle.succeeded(body.email, req.ip);
    return { data: this.withCookie(result, req, reply) };
  }

  @Post('mfa')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      "A sign-in's second factor: a TOTP code (each accepted once), a recovery code (each usable once) or a passkey's answer (options from POST /api/v1/auth/mfa/passkey-options). The tokens, or the next step; a wrong factor counts towards the lockout and five void the challenge",
    body: MfaVerifyRequestSchema,
    response: SignInResultSchema,
    status: 200,
    tags: ['auth'],
  })
  async verifyMfa(
    @ValidBody() body: MfaVerifyRequest,
    @Req() req: ClientRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<ApiSuccess<SignInResult>> {
    const result = await this.controlPlane.signIn.verifySecondFactor(body, req.ip);
    return { data: this.withCookie(result, req, reply) };
  }

  @Post('mfa/passkey-options')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      "WebAuthn options (a new challenge, the account's passkeys) for the passkey answer of a sign-in's `mfa` step",
    body: ChallengeTokenRequestSchema,
    response: WebAuthnOptionsSchema,
    status: 200,
    tags: ['auth'],
  })
  async passkeyOptions(@ValidBody() body: ChallengeTokenRequest): Promise<ApiSuccess<WebAuthnOptionsDto>> {
    return { data: await this.controlPlane.signIn.passkeyOptions(body.challengeToken) };
  }

  @Post('password')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      "A sign-in's `password_change` step: the new password replacing the temporary one an admin set. The tokens, or the next step",
    body: SignInPasswordRequestSchema,
    response: SignInResultSchema,
    status: 200,
    tags: ['auth'],
  })
  async changePassword(
    @ValidBody() body: SignInPasswordRequest,
    @Req() req: ClientRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<ApiSuccess<SignInResult>> {
    const result = await this.controlPlane.signIn.changePassword(body.challengeToken, body.newPassword);
    return { data: this.withCookie(result, req, reply) };
  }

  @Post('mfa/totp/enrol')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      "A sign-in's `mfa_enrolment` step: a new TOTP secret as an otpauth URI and its QR code, active once confirmed (POST /api/v1/auth/mfa/totp/confirm)",
    body: ChallengeTokenRequestSchema,
    response: TotpEnrolmentSchema,
    status: 200,
    tags: ['auth'],
  })
  async startEnrolment(@ValidBody() body: ChallengeTokenRequest): Promise<ApiSuccess<TotpEnrolmentDto>> {
    return { data: await this.controlPlane.signIn.startEnrolment(body.challengeToken) };
  }

  @Post('mfa/totp/confirm')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      "Confirms a sign-in's TOTP enrolment with a code of it: the session's tokens and ten one-time recovery codes, shown this once",
    body: SignInTotpConfirmRequestSchema,
    response: EnrolledSignInSchema,
    status: 200,
    tags: ['auth'],
  })
  async confirmEnrolment(
    @ValidBody() body: SignInTotpConfirmRequest,
    @Req() req: ClientRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<ApiSuccess<EnrolledSignIn>> {
    const result = await this.controlPlane.signIn.confirmEnrolment(body.challengeToken, body.code);
    this.withCookie(result, req, reply);
    return { data: result };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiRoute({
    summary:
      'Exchange a refresh token (body, or the session cookie) for new tokens; the old one stops working, and presenting it again ends the login unless its answer was lost a moment ago (within TF_REFRESH_REUSE_GRACE_SECONDS, its successor unused: another successor). By cookie, the next refresh token is only in the cookie',
    body: RefreshRequestSchema,
    status: 200,
    tags: ['auth'],
  })
  async refresh(
    @ValidBody() body: RefreshRequest,
    @Req() req: ClientRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<ApiSuccess<TokenPair | AccessToken>> {
    if (body.refreshToken !== undefined) return { data: await this.controlPlane.sessions.refresh(body.refreshToken) };
    const secure = req.protocol === 'https';
    try {
      const { refreshToken, ...access } = await this.controlPlane.sessions.refresh(cookieToken(req));
      reply.header('set-cookie', refreshCookie(refreshToken, this.controlPlane.sessions.refreshTtlSeconds, secure));
      return { data: access };
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) reply.header('set-cookie', clearedRefreshCookie(secure));
      throw err;
    }
  }

  @Post('logout')
  @HttpCode(204)
  @ApiRoute({
    summary:
      'End the session of a refresh token (body, or the session cookie, which is cleared); its access tokens are refused on every replica within 5 s',
    body: RefreshRequestSchema,
    status: 204,
    tags: ['auth'],
  })
  async logout(
    @ValidBody() body: RefreshRequest,
    @Req() req: ClientRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<void> {
    if (body.refreshToken !== undefined) return this.controlPlane.sessions.logout(body.refreshToken);
    reply.header('set-cookie', clearedRefreshCookie(req.protocol === 'https'));
    await this.controlPlane.sessions.logout(cookieToken(req));
  }

  /** Tokens of a finished sign-in also set the session cookie. */
  private withCookie<T extends SignInResult>(result: T, req: ClientRequest, reply: Reply): T {
    if (!('step' in result))
      reply.header(
        'set-cookie',
        refreshCookie(
          (result as TokenPair).refreshToken,
          this.controlPlane.sessions.refreshTtlSeconds,
          req.protocol === 'https',
        ),
      );
    return result;
  }
}
