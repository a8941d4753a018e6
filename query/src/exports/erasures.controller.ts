import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ERASURE_SIGNALS,
  ErasureRequestSchema,
  type ApiSuccess,
  type ErasureJobDto,
  type ErasureRequest,
} from '@telemetryflow/contract';
import {
  ApiError,
  ApiRoute,
  invalidParameter,
  notFound,
  parseTimeNs,
  Requires,
  TenantId,
  ValidBody,
} from '@telemetryflow/http-kit';
import { ErasureJobs, erasureJobToDto } from './erasure-jobs.js';

const TAGS = ['erasures'];
const ID = { id: 'erasure job id (UUID)' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIST_LIMIT = 100;
/** Erasures queued or running at once per tenant: each rewrites whole tables. */
const MAX_ACTIVE = 3;

function timeNs(name: 'from' | 'to', value: string | number | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const ns = parseTimeNs(value);
  if (ns === undefined) throw invalidParameter(name, 'must be RFC 3339 or epoch milliseconds');
  return ns;
}

@Controller('api/v1/erasures')
@Requires('admin')
export class ErasuresController {
  constructor(@Inject(ErasureJobs) private readonly jobs: ErasureJobs) {}

  @Post()
  @HttpCode(202)
  @ApiRoute({
    summary:
      'Erase spans, logs and metric points whose attribute (or resource attribute) has a value; dryRun only counts them',
    body: ErasureRequestSchema,
    status: 202,
    tags: TAGS,
  })
  async create(@TenantId() tenant: string, @ValidBody() body: ErasureRequest): Promise<ApiSuccess<ErasureJobDto>> {
    const fromNs = timeNs('from', body.from);
    const toNs = timeNs('to', body.to);
    if (fromNs !== undefined && toNs !== undefined && toNs <= fromNs)
      throw invalidParameter('to', 'must be after from');
    if ((await this.jobs.countActive(tenant)) >= MAX_ACTIVE) {
      throw new ApiError(429, 'too_many_jobs', `at most ${MAX_ACTIVE} erasures may be queued or running at once`, {
        limit: MAX_ACTIVE,
      });
    }
    const job = await this.jobs.create(tenant, {
      attribute: body.match.attribute,
      value: body.match.value,
      signals: [...new Set(body.signals ?? ERASURE_SIGNALS)],
      ...(fromNs !== undefined ? { fromNs } : {}),
      ...(toNs !== undefined ? { toNs } : {}),
      dryRun: body.dryRun ?? false,
    });
    return { data: erasureJobToDto(job) };
  }

  @Get()
  @ApiRoute({ summary: `The tenant's erasure jobs, newest first (at most ${LIST_LIMIT})`, tags: TAGS })
  async list(@TenantId() tenant: string): Promise<ApiSuccess<ErasureJobDto[]>> {
    return { data: (await this.jobs.list(tenant, LIST_LIMIT)).map(erasureJobToDto) };
  }

  @Get(':id')
  @ApiRoute({
    summary: 'One erasure job: status, progress, rows matched (dry run) or deleted per signal',
    params: ID,
    tags: TAGS,
  })
  async get(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<ErasureJobDto>> {
    const job = UUID.test(id) ? await this.jobs.get(tenant, id) : undefined;
    if (!job) throw notFound('no such erasure');
    return { data: erasureJobToDto(job) };
  }
}
