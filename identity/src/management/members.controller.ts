import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import {
  ResetPasswordRequestSchema,
  RevokedSessionsSchema,
  UpdateMemberRequestSchema,
  type ApiSuccess,
  type MemberDto,
  type ResetPasswordRequest,
  type RevokedSessionsDto,
  type UpdateMemberRequest,
} from '@telemetryflow/contract';
import { ApiRoute, CurrentCaller, Requires, ValidBody, type Caller } from '@telemetryflow/http-kit';
import { MembersService } from './members.service.js';
import { objectId } from './object-id.js';

const PARAMS = { tenantId: 'tenant id' };
const MEMBER_PARAMS = { ...PARAMS, userId: "the member's user id" };

/** Members of a tenant; the path's tenant is the one the caller acts in. New members come by invitation (invitations.controller.ts). */
@Controller('api/v1/tenants/:tenantId/members')
export class MembersController {
  constructor(@Inject(MembersService) private readonly members: MembersService) {}

  @Get()
  @Requires('read')
  @ApiRoute({ summary: 'Members of the tenant with their roles', params: PARAMS, tags: ['tenants'] })
  async list(@CurrentCaller() caller: Caller, @Param('tenantId') tenantId: string): Promise<ApiSuccess<MemberDto[]>> {
    return { data: await this.members.list(caller, tenantId) };
  }

  @Patch(':userId')
  @Requires('admin')
  @ApiRoute({
    summary: "Change a member's role; only an owner grants owner or changes an owner; the last owner stays",
    body: UpdateMemberRequestSchema,
    params: MEMBER_PARAMS,
    tags: ['tenants'],
  })
  async changeRole(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
    @ValidBody() body: UpdateMemberRequest,
  ): Promise<ApiSuccess<MemberDto>> {
    return { data: await this.members.changeRole(caller, tenantId, objectId(userId, 'member'), body.role) };
  }

  @Delete(':userId/sessions')
  @Requires('admin')
  @HttpCode(200)
  @ApiRoute({
    summary:
      "End every session of a member (sign them out everywhere; their access tokens are refused on every replica within 5 s); only an owner ends an owner's. The number ended",
    params: MEMBER_PARAMS,
    response: RevokedSessionsSchema,
    status: 200,
    tags: ['tenants'],
  })
  async revokeSessions(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
  ): Promise<ApiSuccess<RevokedSessionsDto>> {
    return { data: { revoked: await this.members.revokeSessions(caller, tenantId, objectId(userId, 'member')) } };
  }

  @Post(':userId/password')
  @Requires('admin')
  @HttpCode(200)
  @ApiRoute({
    summary:
      "Set a member's temporary password (no e-mail needed): they must choose a new one at their next sign-in; every session of theirs ends and their account's lockout is lifted. Only an owner resets an owner's. The number of sessions ended",
    body: ResetPasswordRequestSchema,
    params: MEMBER_PARAMS,
    response: RevokedSessionsSchema,
    status: 200,
    tags: ['tenants'],
  })
  async resetPassword(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
    @ValidBody() body: ResetPasswordRequest,
  ): Promise<ApiSuccess<RevokedSessionsDto>> {
    const revoked = await this.members.resetPassword(
      caller,
      tenantId,
      objectId(userId, 'member'),
      body.temporaryPassword,
    );
    return { data: { revoked } };
  }

  @Delete(':userId/mfa')
  @Requires('admin')
  @HttpCode(200)
  @ApiRoute({
    summary:
      "Reset a member's MFA (a lost device): their TOTP, passkeys and recovery codes are removed and every session of theirs ends; a tenant that requires MFA has them enrol again at their next sign-in. Only an owner resets an owner's. The number of sessions ended",
    params: MEMBER_PARAMS,
    response: RevokedSessionsSchema,
    status: 200,
    tags: ['tenants'],
  })
  async resetMfa(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
  ): Promise<ApiSuccess<RevokedSessionsDto>> {
    return { data: { revoked: await this.members.resetMfa(caller, tenantId, objectId(userId, 'member')) } };
  }

  @Delete(':userId')
  @Requires('admin')
  @HttpCode(204)
  @ApiRoute({
    summary:
      'Remove a member (their access to the tenant ends with their next request, on every replica); the last owner stays',
    params: MEMBER_PARAMS,
    status: 204,
    tags: ['tenants'],
  })
  async remove(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    await this.members.remove(caller, tenantId, objectId(userId, 'member'));
  }
}
