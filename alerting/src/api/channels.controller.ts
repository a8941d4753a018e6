import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiRoute, Requires, TenantId, ValidBody } from '@telemetryflow/http-kit';
import {
  ChannelInputSchema,
  type ApiSuccess,
  type ChannelDto,
  type ChannelInput,
  type ChannelTestDto,
} from '@telemetryflow/contract';
import { ChannelsService } from '../channels/channels.service.js';
import { pathId } from './route-params.js';

const TAGS = ['alerting'];
const WHAT = 'notification channel';

@Controller('api/v1/notification-channels')
export class ChannelsController {
  constructor(@Inject(ChannelsService) private readonly channels: ChannelsService) {}

  @Get()
  @Requires('read')
  @ApiRoute({ summary: 'List notification channels (secrets are never returned)', tags: TAGS })
  async list(@TenantId() tenant: string): Promise<ApiSuccess<ChannelDto[]>> {
    return { data: await this.channels.list(tenant) };
  }

  @Post()
  @Requires('write')
  @ApiRoute({
    summary: 'Create a Slack, PagerDuty, Microsoft Teams, Opsgenie, webhook or e-mail channel',
    body: ChannelInputSchema,
    status: 201,
    tags: TAGS,
  })
  async create(@TenantId() tenant: string, @ValidBody() body: ChannelInput): Promise<ApiSuccess<ChannelDto>> {
    return { data: await this.channels.create(tenant, body) };
  }

  @Get(':id')
  @Requires('read')
  @ApiRoute({ summary: 'One notification channel, with its failing state', params: { id: 'channel id' }, tags: TAGS })
  async get(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<ChannelDto>> {
    return { data: await this.channels.get(tenant, pathId(id, WHAT)) };
  }

  @Put(':id')
  @Requires('write')
  @ApiRoute({
    summary: 'Replace a notification channel',
    body: ChannelInputSchema,
    params: { id: 'channel id' },
    tags: TAGS,
  })
  async update(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidBody() body: ChannelInput,
  ): Promise<ApiSuccess<ChannelDto>> {
    return { data: await this.channels.update(tenant, pathId(id, WHAT), body) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('write')
  @ApiRoute({ summary: 'Delete a notification channel', params: { id: 'channel id' }, status: 204, tags: TAGS })
  async remove(@TenantId() tenant: string, @Param('id') id: string): Promise<void> {
    await this.channels.remove(tenant, pathId(id, WHAT));
  }

  @Post(':id/test')
  @HttpCode(200)
  @Requires('write')
  @ApiRoute({ summary: 'Send a test message now', params: { id: 'channel id' }, tags: TAGS })
  async test(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<ChannelTestDto>> {
    return { data: await this.channels.test(tenant, pathId(id, WHAT)) };
  }
}
