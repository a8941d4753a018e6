import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ChangePasswordRequestSchema,
  RevokedSessionsSchema,
  SessionSchema,
  type ApiSuccess,
  type ChangePasswordRequest,
  type RevokedSessionsDto,
  type SessionDto,
} from '@telemetryflow/contract';
import {
  ApiRoute,
  Authenticated,
  CurrentCaller,
  notFound,
  RateLimit,
  ValidBody,
  type Caller,
} from '@telemetryflow/http-kit';
import { z } from 'zod';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { CONTROL_PLANE } from '../tokens.js';
import { objectId } from './object-id.js';
import { signedInUser } from './signed-in-user.js';

/**
 * The caller's own sign-in sessions and password. Ending a session refuses its access tokens on
 * every replica within 5 s and its refresh token at once.
 */
@Controller('api/v1/me')
@Authenticated()
export class MySessionsController {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  @Get('sessions')
  @ApiRoute({
    summary:
      "The caller's open sessions (created, last used, expiry, client address and user agent of the login), most recently used first; `current` marks this request's",
    response: z.array(SessionSchema),
    tags: ['me'],
  })
  async list(@CurrentCaller() caller: Caller): Promise<ApiSuccess<SessionDto[]>> {
    const { userId, sessionId } = signedInUser(caller);
    return { data: await this.controlPlane.sessions.list(userId, sessionId) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiRoute({
    summary: "End one of the caller's sessions (the current one too: that signs this client out)",
    params: { id: 'session id' },
    status: 204,
    tags: ['me'],
  })
  async revoke(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    const { userId } = signedInUser(caller);
    const sessionId = objectId(id, 'session');
    if (!(await this.controlPlane.sessions.revoke(userId, sessionId, 'user')))
      throw notFound(`no open session ${JSON.stringify(id)}`);
  }

  @Delete('sessions')
  @HttpCode(200)
  @ApiRoute({
    summary: 'End every session of the caller except the current one (sign out everywhere else); the number ended',
    response: RevokedSessionsSchema,
    status: 200,
    tags: ['me'],
  })
  async revokeOthers(@CurrentCaller() caller: Caller): Promise<ApiSuccess<RevokedSessionsDto>> {
    const { userId, sessionId } = signedInUser(caller);
    return { data: { revoked: await this.controlPlane.sessions.revokeAll(userId, 'user', sessionId) } };
  }

  @Post('password')
  @HttpCode(200)
  @RateLimit('login')
  @ApiRoute({
    summary:
      'Change the password (the current one proves it is you); every other session ends, this one stays signed in. The number of sessions ended',
    body: ChangePasswordRequestSchema,
    response: RevokedSessionsSchema,
    status: 200,
    tags: ['me'],
  })
  async changePassword(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: ChangePasswordRequest,
  ): Promise<ApiSuccess<RevokedSessionsDto>> {
    const { userId, sessionId } = signedInUser(caller);
    const revoked = await this.controlPlane.sessions.changePassword(
      userId,
      sessionId,
      body.currentPassword,
      body.newPassword,
    );
    return { data: { revoked } };
  }
}
