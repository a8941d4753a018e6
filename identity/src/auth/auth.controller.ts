import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  LoginRequestSchema,
  RefreshRequestSchema,
  TokenPairSchema,
  type AccessToken,
  type ApiSuccess,
  type LoginRequest,
  type RefreshRequest,
  type TokenPair,
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
      'Log in with email and password: a new session (GET /api/v1/me/sessions), an access token (JWT) and a refresh token, also set as the HttpOnly session cookie; failures of one email from one address slow its next attempts down',
    body: LoginRequestSchema,
    response: TokenPairSchema,
    status: 200,
    tags: ['auth'],
  })
  async login(
    @ValidBody() body: LoginRequest,
    @Req() req: ClientRequest,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<ApiSuccess<TokenPair>> {
    const wait = this.throttle.wait(body.email, req.ip, Date.now());
    if (wait > 0) throw rateLimited(reply, wait);
    let pair: TokenPair;
    try {
      const userAgent = req.headers['user-agent'];
      pair = await this.controlPlane.sessions.login(body.email, body.password, {
        address: req.ip,
        ...(typeof userAgent === 'string' ? { userAgent } : {}),
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials')
        this.throttle.failed(body.email, req.ip, Date.now());
      throw err;
    }
    this.throttle.succeeded(body.email, req.ip);
    reply.header(
      'set-cookie',
      refreshCookie(pair.refreshToken, this.controlPlane.sessions.refreshTtlSeconds, req.protocol === 'https'),
    );
    return { data: pair };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiRoute({
    summary:
      'Exchange a refresh token (body, or the session cookie) for new tokens; the old one stops working and reusing it ends the login. By cookie, the next refresh token is only in the cookie',
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
}
