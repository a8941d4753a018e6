import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UptimeDayDto } from '@telemetryflow/contract';
import { renderStatusNotFound, uptimeLegend } from './status-page-html.js';

const days = (withData: number, total = 90): UptimeDayDto[] =>
  Array.from({ length: total }, (_, i) => ({
    date: `2026-09-${String((i % 28) + 1).padStart(2, '0')}`,
    status: i >= total - withData ? 'operational' : 'none',
    outageMinutes: 0,
  }));
const component = (
  status: 'operational' | 'degraded' | 'major_outage',
  uptimePercent: number | null,
  d: UptimeDayDto[],
) => ({
  id: 'c',
  name: 'API',
  description: '',
  status,
  uptimePercent,
  days: d,
});

describe('status page uptime line', () => {
  it('says over how many days with data: 89 days without data are not uptime', () => {
    assert.equal(uptimeLegend(component('operational', 100, days(1))), '100% uptime over 1 day with data');
    assert.equal(uptimeLegend(component('operational', 99.5, days(90))), '99.5% uptime over 90 days with data');
    assert.equal(uptimeLegend(component('operational', null, days(0))), 'No data yet');
    assert.equal(uptimeLegend(component('operational', 100, days(0))), 'No data yet');
  });

  it('never reads 100% uptime while the component is degraded or down', () => {
    assert.equal(
      uptimeLegend(component('degraded', 100, days(3))),
      'Degraded performance now · no outage recorded over 3 days with data',
    );
    assert.equal(
      uptimeLegend(component('major_outage', 97.25, days(3))),
      'Major outage now · 97.25% uptime over 3 days with data',
    );
  });

  it('answers an unknown slug with an HTML page that escapes the slug', () => {
    const html = renderStatusNotFound('<script>x</script>');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /Status page not found/);
    assert.ok(!html.includes('<script>x'));
  });
});
