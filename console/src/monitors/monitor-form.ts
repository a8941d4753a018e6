import {
  JSON_PATH_OPS,
  type CheckSpec,
  type DNS_RECORD_TYPES,
  type HttpCheck,
  type MonitorInput,
} from '@telemetryflow/contract/monitors';
import type { KeyValue } from '../alerts/rule-form.js';

export type CheckKind = CheckSpec['kind'];
export const CHECK_KINDS: { value: CheckKind; label: string }[] = [
  { value: 'http', label: 'HTTP(S)' },
  { value: 'tcp', label: 'TCP port' },
  { value: 'dns', label: 'DNS' },
  { value: 'tls', label: 'TLS certificate' },
  { value: 'heartbeat', label: 'Heartbeat (push)' },
];
export const HTTP_METHODS: HttpCheck['method'][] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
export { JSON_PATH_OPS };

/**
 * A monitor as the editor holds it: every kind's fields side by side, so switching the kind and
 * back keeps what was typed; `monitorInput` builds the body of the chosen kind. Numbers a user
 * has not filled in are null (the schema then names the field).
 */
export interface MonitorForm {
  name: string;
  kind: CheckKind;
  interval: string;
  timeout: string;
  retries: number | null;
  /** Empty: retried at the interval. */
  retryInterval: string;
  http: {
    url: string;
    method: HttpCheck['method'];
    headers: KeyValue[];
    body: string;
    acceptedStatus: string[];
    keyword: string;
    keywordPresent: boolean;
    keywordCaseSensitive: boolean;
    bodyRegex: string;
    jsonPath: string;
    jsonPathOp: (typeof JSON_PATH_OPS)[number];
    jsonPathValue: string;
    maxResponseMs: number | null;
    certificateMinDaysLeft: number | null;
    maxRedirects: number | null;
    ignoreTlsErrors: boolean;
  };
  tcp: { host: string; port: number | null };
  dns: { name: string; recordType: (typeof DNS_RECORD_TYPES)[number]; resolver: string; expected: string[] };
  tls: { host: string; port: number | null; servername: string; minDaysLeft: number | null; ignoreTlsErrors: boolean };
  heartbeat: { grace: string };
}

export function newMonitorForm(): MonitorForm {
  return {
    name: '',
    kind: 'http',
    interval: '60s',
    timeout: '10s',
    retries: 0,
    retryInterval: '',
    http: {
      url: '',
      method: 'GET',
      headers: [],
      body: '',
      acceptedStatus: ['200-299'],
      keyword: '',
      keywordPresent: true,
      keywordCaseSensitive: true,
      bodyRegex: '',
      jsonPath: '',
      jsonPathOp: '==',
      jsonPathValue: '',
      maxResponseMs: null,
      certificateMinDaysLeft: null,
      maxRedirects: 5,
      ignoreTlsErrors: false,
    },
    tcp: { host: '', port: null },
    dns: { name: '', recordType: 'A', resolver: '', expected: [] },
    tls: { host: '', port: 443, servername: '', minDaysLeft: 14, ignoreTlsErrors: false },
    heartbeat: { grace: '1m' },
  };
}

/** The form of a saved monitor's config. */
export function monitorForm(input: MonitorInput): MonitorForm {
  const form = newMonitorForm();
  Object.assign(form, {
    name: input.name,
    kind: input.check.kind,
    interval: input.interval,
    timeout: input.timeout,
    retries: input.retries,
    retryInterval: input.retryInterval ?? '',
  });
  const c = input.check;
  switch (c.kind) {
    case 'http':
      form.http = {
        url: c.url,
        method: c.method,
        headers: Object.entries(c.headers).map(([key, value]) => ({ key, value })),
        body: c.body ?? '',
        acceptedStatus: [...c.acceptedStatus],
        keyword: c.keyword?.value ?? '',
        keywordPresent: c.keyword?.present ?? true,
        keywordCaseSensitive: c.keyword?.caseSensitive ?? true,
        bodyRegex: c.bodyRegex ?? '',
        jsonPath: c.jsonPath?.path ?? '',
        jsonPathOp: c.jsonPath?.op ?? '==',
        jsonPathValue: c.jsonPath?.value ?? '',
        maxResponseMs: c.maxResponseMs ?? null,
        certificateMinDaysLeft: c.certificateMinDaysLeft ?? null,
        maxRedirects: c.maxRedirects,
        ignoreTlsErrors: c.ignoreTlsErrors,
      };
      break;
    case 'tcp':
      form.tcp = { host: c.host, port: c.port };
      break;
    case 'dns':
      form.dns = { name: c.name, recordType: c.recordType, resolver: c.resolver ?? '', expected: [...c.expected] };
      break;
    case 'tls':
      form.tls = {
        host: c.host,
        port: c.port,
        servername: c.servername ?? '',
        minDaysLeft: c.minDaysLeft,
        ignoreTlsErrors: c.ignoreTlsErrors,
      };
      break;
    case 'heartbeat':
      form.heartbeat = { grace: c.grace };
      break;
  }
  return form;
}

// A missing number is left out, so the schema names the field ("expected number").
const num = (n: number | null) => n ?? undefined;
/** Optional text: left out when blank. */
const text = (s: string) => (s.trim() === '' ? undefined : s.trim());

function httpCheck(h: MonitorForm['http']): Record<string, unknown> {
  return {
    kind: 'http',
    url: h.url.trim(),
    method: h.method,
    headers: Object.fromEntries(h.headers.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value])),
    // A body is sent as typed (whitespace may matter), and only when there is one.
    body: h.body === '' ? undefined : h.body,
    maxRedirects: num(h.maxRedirects),
    ignoreTlsErrors: h.ignoreTlsErrors,
    acceptedStatus: h.acceptedStatus.map((s) => s.trim()).filter(Boolean),
    keyword:
      h.keyword === ''
        ? undefined
        : { value: h.keyword, present: h.keywordPresent, caseSensitive: h.keywordCaseSensitive },
    bodyRegex: h.bodyRegex === '' ? undefined : h.bodyRegex,
    jsonPath:
      text(h.jsonPath) === undefined
        ? undefined
        : { path: h.jsonPath.trim(), op: h.jsonPathOp, value: h.jsonPathValue },
    maxResponseMs: num(h.maxResponseMs),
    certificateMinDaysLeft: num(h.certificateMinDaysLeft),
  };
}

function check(form: MonitorForm): Record<string, unknown> {
  switch (form.kind) {
    case 'http':
      return httpCheck(form.http);
    case 'tcp':
      return { kind: 'tcp', host: form.tcp.host.trim(), port: num(form.tcp.port) };
    case 'dns':
      return {
        kind: 'dns',
        name: form.dns.name.trim(),
        recordType: form.dns.recordType,
        resolver: text(form.dns.resolver),
        expected: form.dns.expected.map((e) => e.trim()).filter(Boolean),
      };
    case 'tls':
      return {
        kind: 'tls',
        host: form.tls.host.trim(),
        port: num(form.tls.port),
        servername: text(form.tls.servername),
        minDaysLeft: num(form.tls.minDaysLeft),
        ignoreTlsErrors: form.tls.ignoreTlsErrors,
      };
    case 'heartbeat':
      return { kind: 'heartbeat', grace: form.heartbeat.grace.trim() };
  }
}

/** Drops the keys whose value is undefined (JSON would drop them too; tests compare objects). */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The body the API takes (the shared schema decides whether it is valid). */
export function monitorInput(form: MonitorForm): unknown {
  return defined({
    name: form.name.trim(),
    interval: form.interval.trim(),
    timeout: form.timeout.trim(),
    retries: num(form.retries),
    retryInterval: text(form.retryInterval),
    check: defined(check(form)),
  });
}
