import { Inject, Injectable } from '@nestjs/common';
import type { LogDto } from '@telemetryflow/schemas';
import type { RawParams } from '../request-params.js';
import { logRowToDto, parseLogSearch } from './log-search.js';
import { LogsRepository } from './logs.repository.js';

@Injectable()
export class LogsService {
  constructor(@Inject(LogsRepository) private readonly repo: LogsRepository) {}

  async search(tenant: string, q: RawParams): Promise<LogDto[]> {
    return (await this.repo.search(tenant, parseLogSearch(q))).map(logRowToDto);
  }
}
