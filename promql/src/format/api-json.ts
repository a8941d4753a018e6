import type { Labels } from '../labels.js';
import type { Matrix, QueryValue, Vector } from '../values.js';
import { formatFloat } from './go-float.js';
import { goJsonNumber, goJsonString } from './go-json.js';

// Response bodies of Prometheus' HTTP API (web/api/v1), byte for byte.

export type ApiErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'not_found' | 'unavailable';

/** The HTTP status Prometheus answers an error type with. */
export const ERROR_STATUS: Readonly<Record<ApiErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  canceled: 503,
  timeout: 503,
  internal: 500,
  not_found: 404,
  unavailable: 503,
};

export function successBody(value: QueryValue, warnings: readonly string[] = []): string {
  const data = `{"resultType":"${value.resultType}","result":${resultJson(value)}}`;
  const w = warnings.length > 0 ? `,"warnings":[${warnings.map(goJsonString).join(',')}]` : '';
  return `{"status":"success","data":${data}${w}}`;
}

export function errorBody(type: ApiErrorType, message: string): string {
  return `{"status":"error","errorType":"${type}","error":${goJsonString(message)}}`;
}

function resultJson(value: QueryValue): string {
  switch (value.resultType) {
    case 'matrix':
      return matrixJson(value.result);
    case 'vector':
      return vectorJson(value.result);
    case 'scalar':
      return `[${goJsonNumber(value.result.t / 1000)},${goJsonString(formatFloat(value.result.v, 'f'))}]`;
    case 'string':
      return `[${goJsonNumber(value.result.t / 1000)},${goJsonString(value.result.v)}]`;
  }
}

function matrixJson(m: Matrix): string {
  return (
    '[' +
    m
      .map((s) => `{"metric":${labelsJson(s.metric)},"values":[${s.points.map((p) => point(p.t, p.v)).join(',')}]}`)
      .join(',') +
    ']'
  );
}

function vectorJson(v: Vector): string {
  return '[' + v.map((s) => `{"metric":${labelsJson(s.metric)},"value":${point(s.t, s.v)}}`).join(',') + ']';
}

/** Labels marshal through a Go map: keys in byte order. */
export function labelsJson(labels: Labels): string {
  const sorted = [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return '{' + sorted.map((l) => `${goJsonString(l.name)}:${goJsonString(l.value)}`).join(',') + '}';
}

function point(t: number, v: number): string {
  return `[${timestamp(t)},"${sampleValue(v)}"]`;
}

/** jsonutil.MarshalTimestamp: seconds, then the milliseconds as three digits when not zero. */
function timestamp(t: number): string {
  const sign = t < 0 ? '-' : '';
  const abs = Math.abs(t);
  const seconds = Math.trunc(abs / 1000);
  const fraction = abs % 1000;
  return fraction === 0 ? `${sign}${seconds}` : `${sign}${seconds}.${String(fraction).padStart(3, '0')}`;
}

/** jsonutil.MarshalValue: %f, or %e below 1e-6 and from 1e21. */
function sampleValue(v: number): string {
  const abs = Math.abs(v);
  return formatFloat(v, abs !== 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f');
}
