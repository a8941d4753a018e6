import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { LoginRequestSchema, RefreshRequestSchema, type ApiSuccess, type LoginRequest, type RefreshRequest, type TokenPair } from '@telemetryflow/schemas';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { Public } from '../http/access.js';
import { ApiError } from '../http/api-error.js';
import { RateLimit, rateLimited } from '../http/rate-limit.js';
import { CONTROL_PLANE, LOGIN_THROTTLE } from '../http/tokens.js';
import { ApiRoute, ValidBody } from '../http/validation.js';
import type { LoginThrottle } from './login-throttle.js';

interface ClientRequest {
  /** The client address (X-Forwarded-For of trusted proxies, else the TCP peer). */
  ip: string;
}

interface Reply {
  header(name: string, value: string): unknown;
}

/** User sessions. Public: the body carries the credential (password or refresh token). */
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
    summary: 'Log in with email and password: an access token (JWT) and a refresh token; failures of one email from one address slow its next attempts down',
    body: LoginRequestSchema, status: 200, tags: ['auth'],
  })
  async login(@ValidBody() body: LoginRequest, @Req() req: ClientRequest, @Res({ passthrough: true }) reply: Reply): Promise<ApiSuccess<TokenPair>> {
    const wait = this.throttle.wait(body.email, req.ip, Date.now());
    if (wait > 0) throw rateLimited(reply, wait);
    try {
      const pair = await this.controlPlane.sessions.login(body.email, body.password);
      this.throttle.succeeded(body.email, req.ip);
      return { data: pair };
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials') this.throttle.failed(body.email, req.ip, Date.now());
      throw err;
    }
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiRoute({ summary: 'Exchange a refresh token for new tokens (the old one stops working; reusing it ends the login)', body: RefreshRequestSchema, status: 200, tags: ['auth'] })
  async refresh(@ValidBody() body: RefreshRequest): Promise<ApiSuccess<TokenPair>> {
    return { data: await this.controlPlane.sessions.refresh(body.refreshToken) };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiRoute({ summary: 'End the login of a refresh token (its access tokens run out on their own)', body: RefreshRequestSchema, status: 204, tags: ['auth'] })
  async logout(@ValidBody() body: RefreshRequest): Promise<void> {
    await this.controlPlane.sessions.logout(body.refreshToken);
  }
}
