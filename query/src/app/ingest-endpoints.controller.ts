import { Controller, Get, Inject } from '@nestjs/common';
import type { ApiSuccess, IngestEndpointsDto } from '@telemetryflow/contract';
import { ApiRoute, Requires } from '@telemetryflow/http-kit';
import { INGEST_ENDPOINTS } from '../http/tokens.js';

/** The OTLP ports of this instance, for the console's set-up instructions. */
@Controller('api/v1/ingest-endpoints')
@Requires('read')
export class IngestEndpointsController {
  constructor(@Inject(INGEST_ENDPOINTS) private readonly endpoints: () => IngestEndpointsDto) {}

  @Get()
  @ApiRoute({
    summary: "This instance's OTLP/HTTP and OTLP/gRPC ports (null when unknown), on the host the API is reached at",
    tags: ['ingest'],
  })
  get(): ApiSuccess<IngestEndpointsDto> {
    return { data: this.endpoints() };
  }
}
