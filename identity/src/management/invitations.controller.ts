import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  CreateInvitationRequestSchema,
  type ApiSuccess,
  type CreateInvitationRequest,
  type InvitationDto,
  type MembershipSummaryDto,
  type ReceivedInvitationDto,
} from '@telemetryflow/contract';
import { ApiRoute, Authenticated, CurrentCaller, Requires, ValidBody, type Caller } from '@telemetryflow/http-kit';
import { InvitationsService } from './invitations.service.js';
import { objectId } from './object-id.js';

const PARAMS = { tenantId: 'tenant id' };

/** A tenant's invitations, for its admins; the path's tenant is the one the caller acts in. */
@Controller('api/v1/tenants/:tenantId/invitations')
export class InvitationsController {
  constructor(@Inject(InvitationsService) private readonly invitations: InvitationsService) {}

  @Get()
  @Requires('admin')
  @ApiRoute({ summary: 'Pending invitations of the tenant', params: PARAMS, tags: ['tenants'] })
  async list(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
  ): Promise<ApiSuccess<InvitationDto[]>> {
    return { data: await this.invitations.list(caller, tenantId) };
  }

  @Post()
  @Requires('admin')
  @ApiRoute({
    summary:
      'Invite an email with a role (only an owner invites owners); with a password, an account is created if the address has none. The answer never tells whether it has one',
    body: CreateInvitationRequestSchema,
    params: PARAMS,
    status: 201,
    tags: ['tenants'],
  })
  async create(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @ValidBody() body: CreateInvitationRequest,
  ): Promise<ApiSuccess<InvitationDto>> {
    return { data: await this.invitations.create(caller, tenantId, body) };
  }

  @Delete(':invitationId')
  @Requires('admin')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Revoke a pending invitation',
    params: { ...PARAMS, invitationId: 'invitation id' },
    status: 204,
    tags: ['tenants'],
  })
  async revoke(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @Param('invitationId') id: string,
  ): Promise<void> {
    await this.invitations.revoke(caller, tenantId, objectId(id, 'invitation'));
  }
}

/** The calling user's invitations: see, accept, decline. */
@Controller('api/v1/invitations')
@Authenticated()
export class ReceivedInvitationsController {
  constructor(@Inject(InvitationsService) private readonly invitations: InvitationsService) {}

  @Get()
  @ApiRoute({ summary: "Pending invitations to the calling user's email", tags: ['me'] })
  async list(@CurrentCaller() caller: Caller): Promise<ApiSuccess<ReceivedInvitationDto[]>> {
    return { data: await this.invitations.received(caller) };
  }

  @Post(':invitationId/accept')
  @HttpCode(200)
  @ApiRoute({
    summary: "Accept an invitation: the caller becomes a member with the invitation's role",
    params: { invitationId: 'invitation id' },
    status: 200,
    tags: ['me'],
  })
  async accept(
    @CurrentCaller() caller: Caller,
    @Param('invitationId') id: string,
  ): Promise<ApiSuccess<MembershipSummaryDto>> {
    return { data: await this.invitations.accept(caller, objectId(id, 'invitation')) };
  }

  @Post(':invitationId/decline')
  @HttpCode(204)
  @ApiRoute({ summary: 'Decline an invitation', params: { invitationId: 'invitation id' }, status: 204, tags: ['me'] })
  async decline(@CurrentCaller() caller: Caller, @Param('invitationId') id: string): Promise<void> {
    await this.invitations.decline(caller, objectId(id, 'invitation'));
  }
}
