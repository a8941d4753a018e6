import { Body, Controller, Delete, Get, HttpCode, Inject, Put } from '@nestjs/common';
import { ApiError, ApiRoute, CurrentCaller, Requires, TenantId, validate, type Caller } from '@telemetryflow/http-kit';
import type { ApiSuccess, NotificationPolicyDto } from '@telemetryflow/contract';
import { NotificationPoliciesService } from '../policies/notification-policies.service.js';
import { MAX_ROUTE_DEPTH, NotificationPolicySchema, tooDeepRoute } from '../routing/route-tree.js';

const TAGS = ['alerting'];

@Controller('api/v1/notification-policy')
export class NotificationPolicyController {
  constructor(@Inject(NotificationPoliciesService) private readonly policies: NotificationPoliciesService) {}

  @Get()
  @Requires('read')
  @ApiRoute({
    summary: "The tenant's notification policy (route tree and time intervals); null: each rule's own channels",
    tags: TAGS,
  })
  async get(@TenantId() tenant: string): Promise<ApiSuccess<NotificationPolicyDto>> {
    return { data: await this.policies.get(tenant) };
  }

  @Put()
  @Requires('admin')
  @ApiRoute({
    summary:
      'Set the notification policy: an Alertmanager route tree (matchers =, !=, =~, !~; continue; groupBy; groupWait, groupInterval, repeatInterval; mute and active time intervals) whose receivers are notification channels',
    body: NotificationPolicySchema,
    tags: TAGS,
  })
  async put(@CurrentCaller() caller: Caller, @Body() raw: unknown): Promise<ApiSuccess<NotificationPolicyDto>> {
    // Depth first: the schema is recursive.
    const deep = tooDeepRoute(raw);
    if (deep !== null)
      throw new ApiError(400, 'invalid_parameter', `${deep}: routes nest at most ${MAX_ROUTE_DEPTH} levels deep`, {
        parameter: deep,
      });
    const body = validate(NotificationPolicySchema, raw ?? {}, 'body');
    const author = caller.userId !== undefined ? `user:${caller.userId}` : `key:${caller.keyId ?? 'unknown'}`;
    return { data: await this.policies.put(caller.tenantId, author, body) };
  }

  @Delete()
  @HttpCode(204)
  @Requires('admin')
  @ApiRoute({
    summary: 'Remove the notification policy: each rule notifies its own channels again',
    status: 204,
    tags: TAGS,
  })
  async remove(@TenantId() tenant: string): Promise<void> {
    await this.policies.remove(tenant);
  }
}
