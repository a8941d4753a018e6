import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ExportRequestSchema, type ApiSuccess, type ExportJobDto, type ExportRequest } from '@telemetryflow/contract';
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
import { parseByteRange } from './byte-range.js';
import { CONTENT_TYPES, FILE_EXTENSIONS } from './export-file.js';
import { ExportJobs, exportJobToDto, type ExportJob } from './export-jobs.js';
import { exportFilePath, type ExportOptions } from './export-worker.js';

export const EXPORT_OPTIONS = Symbol('ExportOptions');

const TAGS = ['exports'];
const ID = { id: 'export job id (UUID)' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LIST_LIMIT = 100;

interface DownloadRequest {
  headers: Record<string, string | string[] | undefined>;
}

interface DownloadReply {
  status(code: number): DownloadReply;
  header(name: string, value: string): DownloadReply;
  send(body: unknown): unknown;
}

function timeNs(name: 'from' | 'to', value: string | number): bigint {
  const ns = parseTimeNs(value);
  if (ns === undefined) throw invalidParameter(name, 'must be RFC 3339 or epoch milliseconds');
  return ns;
}

@Controller('api/v1/exports')
@Requires('admin')
export class ExportsController {
  constructor(
    @Inject(ExportJobs) private readonly jobs: ExportJobs,
    @Inject(EXPORT_OPTIONS) private readonly opts: ExportOptions,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiRoute({
    summary: 'Start an export of one signal in [from, to) as ndjson, csv or parquet; the job runs in the background',
    body: ExportRequestSchema,
    status: 202,
    tags: TAGS,
  })
  async create(@TenantId() tenant: string, @ValidBody() body: ExportRequest): Promise<ApiSuccess<ExportJobDto>> {
    const fromNs = timeNs('from', body.from);
    const toNs = timeNs('to', body.to);
    if (toNs <= fromNs) throw invalidParameter('to', 'must be after from');
    if (body.format === 'otlp-json' && body.signal === 'metrics') {
      throw invalidParameter('format', 'otlp-json covers traces and logs; export metrics as ndjson, csv or parquet');
    }
    if ((await this.jobs.countActive(tenant)) >= this.opts.maxActivePerTenant) {
      throw new ApiError(
        429,
        'too_many_jobs',
        `at most ${this.opts.maxActivePerTenant} exports may be queued or running at once`,
        {
          limit: this.opts.maxActivePerTenant,
        },
      );
    }
    const job = await this.jobs.create(tenant, {
      signal: body.signal,
      format: body.format,
      fromNs,
      toNs,
      filters: body.filters ?? {},
    });
    return { data: exportJobToDto(job) };
  }

  @Get()
  @ApiRoute({ summary: `The tenant's export jobs, newest first (at most ${LIST_LIMIT})`, tags: TAGS })
  async list(@TenantId() tenant: string): Promise<ApiSuccess<ExportJobDto[]>> {
    return { data: (await this.jobs.list(tenant, LIST_LIMIT)).map(exportJobToDto) };
  }

  @Get(':id')
  @ApiRoute({ summary: 'One export job: status, progress, rows, bytes, error', params: ID, tags: TAGS })
  async get(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<ExportJobDto>> {
    return { data: exportJobToDto(await this.job(tenant, id)) };
  }

  @Get(':id/download')
  @ApiRoute({
    summary: 'The file of a finished export; supports a single byte range (206, Content-Range; 416 when outside)',
    params: ID,
    tags: TAGS,
  })
  async download(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @Req() req: DownloadRequest,
    @Res() reply: DownloadReply,
  ): Promise<void> {
    const job = await this.job(tenant, id);
    if (job.status === 'expired') throw new ApiError(410, 'expired', 'the export file has expired and was deleted');
    if (job.status !== 'succeeded') {
      throw new ApiError(409, 'not_ready', `the export is ${job.status}; download it once it has succeeded`);
    }
    const path = exportFilePath(this.opts.dir, job);
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw new ApiError(410, 'expired', 'the export file is no longer there');
    const rangeHeader = req.headers.range;
    const range = parseByteRange(Array.isArray(rangeHeader) ? undefined : rangeHeader, size);
    reply
      .header('accept-ranges', 'bytes')
      .header('content-type', CONTENT_TYPES[job.format])
      .header('content-disposition', `attachment; filename="${job.signal}-${job.id}.${FILE_EXTENSIONS[job.format]}"`);
    if (range.kind === 'unsatisfiable') {
      reply.status(416).header('content-range', `bytes */${size}`).send('');
      return;
    }
    if (range.kind === 'whole') {
      reply.status(200).header('content-length', String(size)).send(createReadStream(path));
      return;
    }
    reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', String(range.end - range.start + 1))
      .send(createReadStream(path, { start: range.start, end: range.end }));
  }

  private async job(tenant: string, id: string): Promise<ExportJob> {
    if (!UUID.test(id)) throw notFound('no such export');
    const job = await this.jobs.get(tenant, id);
    if (!job) throw notFound('no such export');
    return job;
  }
}
