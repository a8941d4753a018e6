import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  componentStatus,
  impactOfSeverity,
  outageMs,
  uptimeDays,
  uptimePercent,
  type IncidentSpan,
} from './component-status.js';

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('component status', () => {
  const incidents: IncidentSpan[] = [
    { componentId: 'api', impact: 'partial_outage', startedAtMs: NOW - 2 * H, resolvedAtMs: null },
    { componentId: 'api', impact: 'degraded', startedAtMs: NOW - H, resolvedAtMs: null },
    { componentId: 'db', impact: 'major_outage', startedAtMs: NOW - 3 * H, resolvedAtMs: NOW - 2 * H },
  ];

  it('is the worst open impact, a hand-set status, or operational', () => {
    assert.equal(componentStatus('api', null, incidents, NOW), 'partial_outage');
    assert.equal(componentStatus('db', null, incidents, NOW), 'operational');
    assert.equal(componentStatus('db', null, incidents, NOW - 2.5 * H), 'major_outage');
    assert.equal(componentStatus('api', 'maintenance', incidents, NOW), 'maintenance');
  });

  it('maps severities to impacts', () => {
    assert.equal(impactOfSeverity('critical'), 'major_outage');
    assert.equal(impactOfSeverity('warning'), 'partial_outage');
    assert.equal(impactOfSeverity('info'), 'degraded');
  });

  it('counts overlapping outages once', () => {
    const spans: IncidentSpan[] = [
      { componentId: null, impact: 'major_outage', startedAtMs: 0, resolvedAtMs: 10 },
      { componentId: null, impact: 'partial_outage', startedAtMs: 5, resolvedAtMs: 20 },
      { componentId: null, impact: 'degraded', startedAtMs: 30, resolvedAtMs: 40 },
    ];
    assert.equal(outageMs(spans, 0, 100), 20);
    assert.equal(outageMs(spans, 8, 12), 4);
  });

  it('draws 90 daily bars with outage minutes, none before the component existed', () => {
    const outage: IncidentSpan[] = [
      {
        componentId: 'api',
        impact: 'major_outage',
        startedAtMs: NOW - DAY - 30 * 60_000,
        resolvedAtMs: NOW - DAY + 30 * 60_000,
      },
    ];
    const days = uptimeDays('api', outage, NOW - 10 * DAY, NOW);
    assert.equal(days.length, 90);
    assert.equal(days[89]!.date, '2026-11-25');
    assert.deepEqual(days[88], { date: '2026-11-24', status: 'major_outage', outageMinutes: 60 });
    assert.equal(days[89]!.status, 'operational');
    assert.equal(days[0]!.status, 'none');
    assert.equal(days.filter((d) => d.status !== 'none').length, 11);
    const pct = uptimePercent('api', outage, NOW - 10 * DAY, NOW)!;
    assert.ok(Math.abs(pct - (1 - 1 / 240) * 100) < 0.001, String(pct));
  });
});
