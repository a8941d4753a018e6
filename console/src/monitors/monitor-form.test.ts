import { MonitorInputSchema, type MonitorInput } from '@telemetryflow/contract/monitors';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../layout/field-errors.js';
import { monitorForm, monitorInput, newMonitorForm } from './monitor-form.js';

const check = (body: unknown) => MonitorInputSchema.safeParse(body);
const errorsOf = (body: unknown) => {
  const r = check(body);
  return r.success ? {} : fieldErrors(r.error.issues);
};

describe('monitor form', () => {
  it('names the fields a new monitor still needs, on their paths', () => {
    expect(Object.keys(errorsOf(monitorInput(newMonitorForm()))).sort()).toEqual(['check.url', 'name']);
    const tcp = newMonitorForm();
    tcp.kind = 'tcp';
    tcp.name = 'db';
    expect(Object.keys(errorsOf(monitorInput(tcp))).sort()).toEqual(['check.host', 'check.port']);
  });

  it('builds an HTTP check with its assertions, leaving out what is empty', () => {
    const form = newMonitorForm();
    Object.assign(form, { name: ' shop ', interval: '30s', timeout: '5s', retries: 2, retryInterval: '10s' });
    Object.assign(form.http, {
      url: 'https://shop.example.com/health ',
      method: 'POST',
      headers: [
        { key: 'Authorization', value: 'Bearer x' },
        { key: ' ', value: 'ignored' },
      ],
      body: '{"ping":true}',
      acceptedStatus: ['200-299', ' 301 '],
      keyword: 'ok',
      keywordPresent: false,
      jsonPath: '$.status',
      jsonPathOp: '!=',
      jsonPathValue: 'down',
      maxResponseMs: 800,
      certificateMinDaysLeft: 14,
    });
    const result = check(monitorInput(form));
    expect(result.success).toBe(true);
    expect(result.data).toEqual({
      name: 'shop',
      interval: '30s',
      timeout: '5s',
      retries: 2,
      retryInterval: '10s',
      check: {
        kind: 'http',
        url: 'https://shop.example.com/health',
        method: 'POST',
        headers: { Authorization: 'Bearer x' },
        body: '{"ping":true}',
        maxRedirects: 5,
        ignoreTlsErrors: false,
        acceptedStatus: ['200-299', '301'],
        keyword: { value: 'ok', present: false, caseSensitive: true },
        jsonPath: { path: '$.status', op: '!=', value: 'down' },
        maxResponseMs: 800,
        certificateMinDaysLeft: 14,
      },
    });
  });

  it("shows the schema's own rules on the field they concern", () => {
    const form = newMonitorForm();
    Object.assign(form, { name: 'x', interval: '5s', timeout: '10s' });
    Object.assign(form.http, {
      url: 'http://x.example.com',
      body: 'data',
      bodyRegex: '(unclosed',
      certificateMinDaysLeft: 3,
      acceptedStatus: ['2xx'],
    });
    const errors = errorsOf(monitorInput(form));
    expect(errors.interval).toBe('interval must be between 10s and 86400s');
    expect(errors['check.body']).toBe('a GET request has no body');
    expect(errors['check.bodyRegex']).toMatch(/^not a valid RE2 regular expression/);
    expect(errors['check.certificateMinDaysLeft']).toBe('certificateMinDaysLeft needs an https URL');
    expect(errors['check.acceptedStatus.0']).toMatch(/a status code such as 200/);
  });

  it('keeps every kind of check through form and back', () => {
    const inputs: MonitorInput[] = [
      {
        name: 'api',
        interval: '1m',
        timeout: '10s',
        retries: 1,
        check: {
          kind: 'http',
          url: 'https://api.example.com',
          method: 'GET',
          headers: { 'x-probe': '1' },
          maxRedirects: 0,
          ignoreTlsErrors: true,
          acceptedStatus: ['200'],
          bodyRegex: 'ok|fine',
        },
      },
      { name: 'db', interval: '30s', timeout: '5s', retries: 0, check: { kind: 'tcp', host: '10.0.0.5', port: 5432 } },
      {
        name: 'mx',
        interval: '5m',
        timeout: '10s',
        retries: 0,
        check: {
          kind: 'dns',
          name: 'example.com',
          recordType: 'MX',
          resolver: '1.1.1.1:53',
          expected: ['10 mx.example.com'],
        },
      },
      {
        name: 'cert',
        interval: '1h',
        timeout: '10s',
        retries: 0,
        check: {
          kind: 'tls',
          host: 'example.com',
          port: 8443,
          servername: 'www.example.com',
          minDaysLeft: 30,
          ignoreTlsErrors: false,
        },
      },
      { name: 'backup', interval: '1d', timeout: '10s', retries: 0, check: { kind: 'heartbeat', grace: '30m' } },
    ];
    for (const input of inputs) {
      const parsed = MonitorInputSchema.parse(input);
      const again = check(monitorInput(monitorForm(parsed)));
      expect(again.success, input.name).toBe(true);
      expect(again.data).toEqual(parsed);
    }
  });

  it('switching the kind and back keeps what was typed', () => {
    const form = newMonitorForm();
    form.http.url = 'https://a.example.com';
    form.kind = 'dns';
    form.dns.name = 'a.example.com';
    form.kind = 'http';
    expect((monitorInput(form) as { check: { url: string } }).check.url).toBe('https://a.example.com');
    expect(form.dns.name).toBe('a.example.com');
  });
});
