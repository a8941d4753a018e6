// Prometheus' HTTP API under /prometheus, so a Grafana Prometheus data source (URL
// http://host:8080/prometheus) and Prometheus tooling query the tenant's metrics. Answers and
// errors are Prometheus' JSON, byte for byte where the tests compare them with Prometheus 2.42.
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiError, ApiRoute, RateLimit, Requires, TenantId, NotAudited } from '@telemetryflow/http-kit';
import {
  ERROR_STATUS,
  errorBody,
  goJsonNumber,
  goJsonString,
  isValidLabelName,
  labelsJson,
  ParseError,
  QueryError,
  successBody,
  formatFloat,
  type ApiErrorType,
} from '@telemetryflow/promql';
import { QUERY_LIMITS } from '../http/tokens.js';
import type { QueryLimits } from '../query-limits.js';
import { PrometheusService } from './prometheus.service.js';
import {
  BadData,
  lookupRange,
  mergeParams,
  param,
  params as paramValues,
  parseDuration,
  parseMatchers,
  timeParam,
  type ApiParams,
} from './prometheus-params.js';

interface ApiRequest {
  query: unknown;
  body: unknown;
}

interface ApiReply {
  status(code: number): ApiReply;
  header(name: string, value: string): ApiReply;
  send(body: string): unknown;
}

/** Prometheus' limit on points per series of a range query. */
const MAX_POINTS_PER_SERIES = 11_000;

/** What `/status/buildinfo` reports: the Prometheus version whose semantics the API follows. */
const BUILD_INFO = {
  version: '2.42.0',
  revision: 'telemetryflow',
  branch: 'telemetryflow',
  buildUser: 'telemetryflow',
  buildDate: '20230201-00:00:00',
  goVersion: 'none (TypeScript)',
};

const stringList = (list: readonly string[]) => `{"status":"success","data":[${list.map(goJsonString).join(',')}]}`;

@Controller('prometheus/api/v1')
@Requires('read')
export class PrometheusApiController {
  constructor(
    @Inject(PrometheusService) private readonly prometheus: PrometheusService,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  @Get('query')
  @RateLimit('heavy')
  @ApiRoute({ summary: 'PromQL instant query (Prometheus API: query, time, timeout)', tags: ['prometheus'] })
  queryGet(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.instant(tenant, mergeParams(req.query, req.body)));
  }

  @Post('query')
  @NotAudited()
  @RateLimit('heavy')
  @ApiRoute({ summary: 'PromQL instant query, form-encoded', tags: ['prometheus'] })
  queryPost(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.instant(tenant, mergeParams(req.query, req.body)));
  }

  @Get('query_range')
  @RateLimit('heavy')
  @ApiRoute({ summary: 'PromQL range query (Prometheus API: query, start, end, step, timeout)', tags: ['prometheus'] })
  rangeGet(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.range(tenant, mergeParams(req.query, req.body)));
  }

  @Post('query_range')
  @NotAudited()
  @RateLimit('heavy')
  @ApiRoute({ summary: 'PromQL range query, form-encoded', tags: ['prometheus'] })
  rangePost(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.range(tenant, mergeParams(req.query, req.body)));
  }

  @Get('series')
  @RateLimit('suggestions')
  @ApiRoute({ summary: 'Series matching match[] selectors in [start, end]', tags: ['prometheus'] })
  seriesGet(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.series(tenant, mergeParams(req.query, req.body)));
  }

  @Post('series')
  @NotAudited()
  @RateLimit('suggestions')
  @ApiRoute({ summary: 'Series matching match[] selectors, form-encoded', tags: ['prometheus'] })
  seriesPost(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.series(tenant, mergeParams(req.query, req.body)));
  }

  @Get('labels')
  @RateLimit('suggestions')
  @ApiRoute({ summary: 'Label names (optionally of the series matching match[])', tags: ['prometheus'] })
  labelsGet(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.labelNames(tenant, mergeParams(req.query, req.body)));
  }

  @Post('labels')
  @NotAudited()
  @RateLimit('suggestions')
  @ApiRoute({ summary: 'Label names, form-encoded', tags: ['prometheus'] })
  labelsPost(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.labelNames(tenant, mergeParams(req.query, req.body)));
  }

  @Get('label/:name/values')
  @RateLimit('suggestions')
  @ApiRoute({
    summary: 'Values of a label (optionally over the series matching match[])',
    params: { name: 'label name' },
    tags: ['prometheus'],
  })
  labelValues(@TenantId() tenant: string, @Param('name') name: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, async () => {
      if (!isValidLabelName(name)) throw new BadData(`invalid label name: ${goJsonString(name)}`);
      const p = mergeParams(req.query, req.body);
      const { start, end } = lookupRange(p, this.widest());
      const selectors = parseMatchers(paramValues(p, 'match[]'));
      return stringList(await this.prometheus.labelValues(tenant, name, selectors, start, end));
    });
  }

  @Get('metadata')
  @ApiRoute({ summary: 'Metric metadata (type, help, unit) per metric family', tags: ['prometheus'] })
  metadata(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, async () => {
      const p = mergeParams(req.query, req.body);
      const limitText = param(p, 'limit');
      const limit = limitText === undefined || limitText === '' ? -1 : Number.parseInt(limitText, 10);
      if (Number.isNaN(limit)) throw new BadData('limit must be a number');
      const metric = param(p, 'metric');
      const found = await this.prometheus.metadata(tenant, metric === '' ? undefined : metric, limit);
      const families = [...found.keys()].sort();
      const body = families
        .map(
          (f) =>
            `${goJsonString(f)}:[${found
              .get(f)!
              .map(
                (m) => `{"type":${goJsonString(m.type)},"help":${goJsonString(m.help)},"unit":${goJsonString(m.unit)}}`,
              )
              .join(',')}]`,
        )
        .join(',');
      return `{"status":"success","data":{${body}}}`;
    });
  }

  @Get('query_exemplars')
  @RateLimit('heavy')
  @ApiRoute({ summary: 'Exemplars of the series a PromQL query selects, in [start, end]', tags: ['prometheus'] })
  exemplarsGet(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.exemplars(tenant, mergeParams(req.query, req.body)));
  }

  @Post('query_exemplars')
  @NotAudited()
  @RateLimit('heavy')
  @ApiRoute({ summary: 'Exemplars, form-encoded', tags: ['prometheus'] })
  exemplarsPost(@TenantId() tenant: string, @Req() req: ApiRequest, @Res() reply: ApiReply) {
    return this.answer(reply, () => this.exemplars(tenant, mergeParams(req.query, req.body)));
  }

  @Get('status/buildinfo')
  @ApiRoute({
    summary: 'Build information (the Prometheus version whose API and PromQL this follows)',
    tags: ['prometheus'],
  })
  buildInfo(@Res() reply: ApiReply) {
    return this.answer(reply, async () => {
      const fields = Object.entries(BUILD_INFO).map(([k, v]) => `${goJsonString(k)}:${goJsonString(v)}`);
      return `{"status":"success","data":{${fields.join(',')}}}`;
    });
  }

  private async instant(tenant: string, p: ApiParams): Promise<string> {
    const time = timeParam(p, 'time', Date.now());
    const timeout = this.timeout(p);
    try {
      return successBody(await this.prometheus.instant(tenant, param(p, 'query') ?? '', time, undefined, timeout));
    } catch (e) {
      // The instant-query API names the parameter in parse errors; the range API does not.
      if (e instanceof QueryError && e.type === 'bad_data')
        throw new QueryError('bad_data', `invalid parameter "query": ${e.message}`);
      throw e;
    }
  }

  private async range(tenant: string, p: ApiParams): Promise<string> {
    const start = timeParam(p, 'start', NaN);
    const end = timeParam(p, 'end', NaN);
    if (Number.isNaN(start)) throw new BadData('invalid parameter "start": cannot parse "" to a valid timestamp');
    if (Number.isNaN(end)) throw new BadData('invalid parameter "end": cannot parse "" to a valid timestamp');
    if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
    const step = parseDuration('step', param(p, 'step') ?? '');
    if (step <= 0)
      throw new BadData(
        'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    if ((end - start) / step > MAX_POINTS_PER_SERIES)
      throw new BadData(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    const timeout = this.timeout(p);
    return successBody(
      await this.prometheus.range(tenant, param(p, 'query') ?? '', start, end, step, undefined, timeout),
    );
  }

  private async series(tenant: string, p: ApiParams): Promise<string> {
    const selectors = paramValues(p, 'match[]');
    if (selectors.length === 0) throw new BadData('no match[] parameter provided');
    const { start, end } = lookupRange(p, this.widest());
    const found = await this.prometheus.series(tenant, parseMatchers(selectors), start, end);
    return `{"status":"success","data":[${found.map(labelsJson).join(',')}]}`;
  }

  private async labelNames(tenant: string, p: ApiParams): Promise<string> {
    const { start, end } = lookupRange(p, this.widest());
    const selectors = parseMatchers(paramValues(p, 'match[]'));
    return stringList(await this.prometheus.labelNames(tenant, selectors, start, end));
  }

  private async exemplars(tenant: string, p: ApiParams): Promise<string> {
    const start = timeParam(p, 'start', Date.now() - 3_600_000);
    const end = timeParam(p, 'end', Date.now());
    if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
    let found;
    try {
      found = await this.prometheus.exemplars(tenant, param(p, 'query') ?? '', start, end);
    } catch (e) {
      if (e instanceof ParseError) throw new BadData(`invalid parameter "query": ${e.message}`);
      throw e;
    }
    const body = found
      .map(
        (s) =>
          `{"seriesLabels":${labelsJson(s.seriesLabels)},"exemplars":[${s.exemplars
            .map(
              (e) =>
                `{"labels":${labelsJson(e.labels)},"value":${goJsonString(formatFloat(e.value, 'f'))},"timestamp":${goJsonNumber(e.t / 1000)}}`,
            )
            .join(',')}]}`,
      )
      .join(',');
    return `{"status":"success","data":[${body}]}`;
  }

  /** The widest range a look-up reads: the longest range the API allows, ending now. */
  private widest(): { start: number; end: number } {
    const end = Date.now();
    return { start: end - this.limits.maxRangeDays * 86_400_000, end };
  }

  private timeout(p: ApiParams): number | undefined {
    const s = param(p, 'timeout');
    return s === undefined || s === '' ? undefined : parseDuration('timeout', s);
  }

  /** Runs a handler and answers with its body, or with Prometheus' error body. */
  private async answer(reply: ApiReply, handler: () => Promise<string>): Promise<void> {
    let status = 200;
    let body: string;
    try {
      body = await handler();
    } catch (e) {
      const [type, message] = prometheusError(e);
      status = ERROR_STATUS[type];
      body = errorBody(type, message);
    }
    reply.status(status).header('content-type', 'application/json').send(body);
  }
}

/** An error as Prometheus' API reports it; unexpected ones rethrow to the global filter (500, logged). */
function prometheusError(e: unknown): [ApiErrorType, string] {
  if (e instanceof BadData) return ['bad_data', e.message];
  if (e instanceof QueryError) return [e.type, e.message];
  if (e instanceof ApiError) {
    if (e.status === 422) return ['execution', e.message];
    if (e.status === 400) return ['bad_data', e.message];
    if (e.status === 503) return ['unavailable', e.message];
  }
  throw e;
}
