import type { MonitorDto, MonitorInput } from '@telemetryflow/contract/monitors';
import { describe, expect, it } from 'vitest';
import {
  byState,
  certificateDaysLeft,
  chartStepSeconds,
  durationText,
  formatAgo,
  formatCertificate,
  heartbeatUrl,
  monitorRuleSummary,
  monitorTarget,
  uptimeBarStepSeconds,
} from './monitor-format.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const base = { name: 'm', interval: '1m', timeout: '10s', retries: 0 } as const;

describe('monitor formats', () => {
  it('says what each kind of monitor checks', () => {
    const target = (check: MonitorInput['check']) => monitorTarget({ ...base, check });
    expect(
      target({
        kind: 'http',
        url: 'https://x.io/h',
        method: 'HEAD',
        headers: {},
        maxRedirects: 5,
        ignoreTlsErrors: false,
        acceptedStatus: ['200'],
      }),
    ).toBe('HEAD https://x.io/h');
    expect(target({ kind: 'tcp', host: 'db', port: 5432 })).toBe('db:5432');
    expect(target({ kind: 'dns', name: 'x.io', recordType: 'MX', expected: [], resolver: '1.1.1.1' })).toBe(
      'MX x.io @1.1.1.1',
    );
    expect(
      target({ kind: 'tls', host: '10.0.0.1', port: 443, servername: 'x.io', minDaysLeft: 14, ignoreTlsErrors: false }),
    ).toBe('x.io at 10.0.0.1:443');
    expect(target({ kind: 'heartbeat', grace: '5m' })).toBe('push, grace 5m');
  });

  it('builds the heartbeat URL from a token or the path the API gives', () => {
    expect(heartbeatUrl('https://tf.example.com', 'abc123')).toBe('https://tf.example.com/api/v1/heartbeats/abc123');
    expect(heartbeatUrl('https://tf.example.com', '/api/v1/heartbeats/abc123')).toBe(
      'https://tf.example.com/api/v1/heartbeats/abc123',
    );
  });

  it('counts certificate days left and says when it expired', () => {
    const local = new Date(NOW + 27 * D + H);
    const date = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
    expect(certificateDaysLeft(local.toISOString(), NOW)).toBe(27);
    expect(formatCertificate(local.toISOString(), NOW)).toBe(`${date} (27 days left)`);
    expect(formatCertificate(new Date(NOW - 1.5 * D).toISOString(), NOW)).toMatch(/\(expired 2 days ago\)$/);
    expect(formatCertificate(null, NOW)).toBe('–');
  });

  it('says how long ago, coarsely', () => {
    expect(formatAgo(new Date(NOW - 12_000).toISOString(), NOW)).toBe('12s ago');
    expect(formatAgo(new Date(NOW - 5 * 60_000).toISOString(), NOW)).toBe('5m ago');
    expect(formatAgo(new Date(NOW - 3 * H).toISOString(), NOW)).toBe('3h ago');
    expect(formatAgo(new Date(NOW - 2 * D).toISOString(), NOW)).toBe('2d ago');
    expect(formatAgo(new Date(NOW + 500).toISOString(), NOW)).toBe('0s ago');
  });

  it('writes steps in their largest whole unit', () => {
    expect([30, 120, 7200, 86_400, 90].map(durationText)).toEqual(['30s', '2m', '2h', '1d', '90s']);
  });

  it('picks chart steps of about the asked number of points, whole hours beyond the raw results', () => {
    const last = (ms: number) => ({ from: NOW - ms, to: NOW });
    expect(chartStepSeconds(last(H), 120, NOW)).toBe(30);
    expect(chartStepSeconds(last(5 * 60_000), 120, NOW)).toBe(10);
    expect(chartStepSeconds(last(D), 120, NOW)).toBe(900);
    expect(chartStepSeconds(last(30 * D), 30, NOW)).toBe(86_400);
    expect(chartStepSeconds(last(90 * D), 30, NOW)).toBe(3 * 86_400);
    // An hour two months ago: raw results are gone, the hourly rollup answers.
    expect(chartStepSeconds({ from: NOW - 60 * D, to: NOW - 60 * D + H }, 120, NOW)).toBe(3600);
  });

  it('draws uptime bars per hour up to a week, per day beyond', () => {
    expect(uptimeBarStepSeconds({ from: NOW - 24 * H, to: NOW })).toBe(3600);
    expect(uptimeBarStepSeconds({ from: NOW - 7 * D, to: NOW })).toBe(3600);
    expect(uptimeBarStepSeconds({ from: NOW - 30 * D, to: NOW })).toBe(86_400);
  });

  it('lists down monitors first, then pending, up and paused, by name', () => {
    const m = (name: string, status: MonitorDto['status']) => ({ name, status }) as MonitorDto;
    const sorted = [m('b', 'up'), m('a', 'paused'), m('c', 'down'), m('a', 'up'), m('d', 'pending')].sort(byState);
    expect(sorted.map((x) => `${x.status}:${x.name}`)).toEqual(['down:c', 'pending:d', 'up:a', 'up:b', 'paused:a']);
  });

  it('says what a monitor alert rule fires on', () => {
    const monitorId = '0b0c8a52-3c2e-4c8f-9a57-0a8f2d6b1e11';
    expect(
      monitorRuleSummary({ for: '2m', condition: { kind: 'monitor', monitorId, check: 'down', window: '5m' } }),
    ).toBe('down for 2m');
    expect(
      monitorRuleSummary({
        for: '0s',
        condition: {
          kind: 'monitor',
          monitorId,
          check: 'latencyP95',
          window: '10m',
          threshold: { op: 'above', value: 800 },
        },
      }),
    ).toBe('p95 response time above 800 ms over 10m');
    expect(
      monitorRuleSummary({
        for: '0s',
        condition: {
          kind: 'monitor',
          monitorId,
          check: 'certificateDays',
          window: '1h',
          threshold: { op: 'below', value: 14 },
        },
      }),
    ).toBe('certificate days left below 14');
  });
});
