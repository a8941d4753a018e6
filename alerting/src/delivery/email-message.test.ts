import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupNotification, NotifiedAlert } from '../routing/alert-aggregator.js';
import { emailSubject, renderEmail } from './email-message.js';

const T0 = Date.parse('2024-05-06T10:00:00Z');
const alert = (instance: string, status: 'firing' | 'resolved', extra: Partial<NotifiedAlert> = {}): NotifiedAlert => ({
  labels: { alertname: 'HighLatency', env: 'prod', service: 'api', instance },
  annotations: { summary: `p95 high on ${instance}` },
  startsAtMs: T0,
  endsAtMs: status === 'resolved' ? T0 + 60_000 : null,
  status,
  fingerprint: instance,
  value: 812.5,
  ...extra,
});
const group = (alerts: NotifiedAlert[]): GroupNotification => ({
  receiver: 'ops-mail',
  groupKey: '{}:{alertname="HighLatency"}',
  groupLabels: { alertname: 'HighLatency' },
  status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
  reason: 'first notification',
  alerts,
  atMs: T0,
});

describe('e-mail message', () => {
  it("subject as Alertmanager's __subject: [STATUS:firing count] group label values (other common label values)", () => {
    assert.equal(
      emailSubject(group([alert('a', 'firing'), alert('b', 'firing'), alert('c', 'resolved')])),
      '[FIRING:2] HighLatency (prod api)',
    );
    assert.equal(emailSubject(group([alert('a', 'resolved')])), '[RESOLVED] HighLatency (prod a api)');
    assert.equal(
      emailSubject({ ...group([alert('a', 'firing', { labels: { alertname: 'HighLatency' } })]) }),
      '[FIRING:1] HighLatency',
    );
    assert.equal(
      emailSubject(
        group([alert('a', 'firing', { labels: { alertname: 'HighLatency', note: 'line\r\nBcc: x@evil' } })]),
      ),
      '[FIRING:1] HighLatency (line Bcc: x@evil)',
      'no header injection through a label',
    );
  });

  it('the text lists firing and resolved alerts with value, labels and annotations', () => {
    const m = renderEmail(
      group([alert('a', 'firing'), alert('c', 'resolved', { generatorURL: 'https://tf.example/alerts?rule=r1' })]),
      'https://tf.example',
    );
    assert.equal(
      m.text,
      [
        '[FIRING:1] HighLatency (prod api)',
        '',
        '1 alert(s) firing:',
        '',
        'FIRING since 2024-05-06T10:00:00Z',
        'Value: 812.5',
        'Labels:',
        ' - alertname = HighLatency',
        ' - env = prod',
        ' - instance = a',
        ' - service = api',
        'Annotations:',
        ' - summary = p95 high on a',
        '',
        '1 alert(s) resolved:',
        '',
        'RESOLVED since 2024-05-06T10:00:00Z, resolved at 2024-05-06T10:01:00Z',
        'Value: 812.5',
        'Labels:',
        ' - alertname = HighLatency',
        ' - env = prod',
        ' - instance = c',
        ' - service = api',
        'Annotations:',
        ' - summary = p95 high on c',
        'Source: https://tf.example/alerts?rule=r1',
        '',
        'View in TelemetryFlow: https://tf.example',
        '',
      ].join('\n'),
    );
  });

  it('the HTML escapes every label, annotation and link', () => {
    const m = renderEmail(
      group([
        alert('<img src=x onerror=alert(1)>', 'firing', {
          annotations: { summary: 'a & b "quoted"' },
          generatorURL: 'https://tf.example/?a=1&b="2"',
        }),
      ]),
    );
    assert.ok(m.html.includes('<b>instance</b> = &lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(m.html.includes('<b>summary</b> = a &amp; b &quot;quoted&quot;'));
    assert.ok(m.html.includes('href="https://tf.example/?a=1&amp;b=&quot;2&quot;"'));
    assert.ok(!m.html.includes('<img'));
  });
});
