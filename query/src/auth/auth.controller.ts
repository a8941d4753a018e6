import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { LoginRequestSchema, RefreshRequestSchema, type ApiSuccess, type LoginRequest, type RefreshRequest, type TokenPair } from '@telemetryflow/schemas';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { Public } from '../http/access.js';
import { RateLimit } from '../http/rate-limit.js';
import { CONTROL_PLANE } from '../http/tokens.js';
import { ApiRoute, ValidBody } from '../http/validation.js';

/** User sessions. Public: the body carries the credential (password or refresh token). */
@Controller('api/v1/auth')
@Public()
export class AuthController {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  @Post('login')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({ summary: 'Log in with email and password: an access token (JWT) and a refresh token', body: LoginRequestSchema, status: 200, tags: ['auth'] })
  async login(@ValidBody() body: LoginRequest): Promise<ApiSuccess<TokenPair>> {
    return { data: await this.controlPlane.sessions.login(body.email, body.password) };
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
