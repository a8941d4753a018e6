import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exportChannel,
  exportMonitor,
  missingSecrets,
  TENANT_CONFIG_FORMAT,
  TenantConfigDocumentSchema,
} from './config-document.js';
import { planImport, type TenantState } from './import-plan.js';
import { MonitorInputSchema } from '@telemetryflow/contract/monitors';

const REF = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const EMPTY: TenantState = {
  channels: [],
  monitors: [],
  rules: [],
  pages: [],
  slugsTakenElsewhere: new Set(),
  hasPolicy: false,
  silences: [],
  dashboards: [],
  nowMs: Date.parse('2026-12-07T12:00:00Z'),
};

const doc = (over: Record<string, unknown>) =>
  TenantConfigDocumentSchema.parse({ format: TENANT_CONFIG_FORMAT, ...over });

const slack = (ref: number, name: string, url: string | null = 'https://hooks.slack.example/T/B/x') => ({
  ref: REF(ref),
  channel: { type: 'slack', name, url },
  secretFields: ['url'],
});

const rule = (ref: number, name: string, channels: string[]) => ({
  ref: REF(ref),
  rule: {
    name,
    condition: { kind: 'span', measure: 'error_rate', window: '5m', threshold: { op: 'above', value: 0.1 } },
    channels,
  },
});

describe('exported secrets', () => {
  it('channels leave without the settings that authenticate, named in secretFields', () => {
    assert.deepEqual(
      exportChannel({ type: 'webhook', name: 'w', url: 'https://h.example/x', secret: 's'.repeat(16) }),
      {
        channel: { type: 'webhook', name: 'w', url: null, secret: null },
        secretFields: ['url', 'secret'],
      },
    );
    assert.deepEqual(exportChannel({ type: 'email', name: 'm', to: ['a@example.com'] }).secretFields, []);
  });

  it('monitors leave without authenticating headers or URL credentials; other headers stay', () => {
    const input = MonitorInputSchema.parse({
      name: 'api',
      check: {
        kind: 'http',
        url: 'https://user:pass@api.example.com/health',
        headers: { Authorization: 'Bearer x', 'X-Api-Key': 'k', Accept: 'application/json' },
      },
    });
    const { monitor, secretFields } = exportMonitor(input);
    assert.deepEqual(secretFields, ['check.headers.Authorization', 'check.headers.X-Api-Key', 'check.url']);
    assert.deepEqual((monitor.check as { headers: unknown }).headers, {
      Authorization: null,
      'X-Api-Key': null,
      Accept: 'application/json',
    });
    assert.deepEqual(missingSecrets(monitor, secretFields), secretFields);
  });
});

describe('planImport', () => {
  it('creates what the tenant lacks; skips or overwrites what it has; two of one name is a conflict', () => {
    const d = doc({
      notificationChannels: [slack(1, 'ops'), slack(2, 'pager'), slack(3, 'twice')],
      alertRules: [rule(10, 'errors', [REF(1)])],
    });
    const state: TenantState = {
      ...EMPTY,
      channels: [
        { id: 'c-ops', name: 'ops' },
        { id: 'c-t1', name: 'twice' },
        { id: 'c-t2', name: 'twice' },
      ],
      rules: [{ id: 'r-errors', name: 'errors' }],
    };
    const skip = planImport(d, state, 'skip');
    assert.deepEqual(skip.issues, []);
    assert.deepEqual(
      skip.items.map((i) => [i.name, i.action, i.id]),
      [
        ['ops', 'skip', 'c-ops'],
        ['pager', 'create', null],
        ['twice', 'conflict', null],
        ['errors', 'skip', 'r-errors'],
      ],
    );
    assert.deepEqual(
      planImport(d, state, 'overwrite').items.map((i) => i.action),
      ['update', 'create', 'conflict', 'update'],
    );
  });

  it('secrets left out: fine over an existing channel with skip, a field error otherwise', () => {
    const d = doc({ notificationChannels: [slack(1, 'ops', null)] });
    const existing = { ...EMPTY, channels: [{ id: 'c-ops', name: 'ops' }] };
    assert.deepEqual(planImport(d, existing, 'skip').issues, []);
    assert.deepEqual(
      planImport(d, existing, 'overwrite').issues.map((i) => i.path),
      ['notificationChannels.0.channel.url'],
    );
    assert.deepEqual(
      planImport(d, EMPTY, 'skip').issues.map((i) => i.path),
      ['notificationChannels.0.channel.url'],
    );
  });

  it('references must point inside the document; names must be unique in it', () => {
    const d = doc({
      notificationChannels: [slack(1, 'ops'), slack(2, 'ops')],
      alertRules: [rule(10, 'errors', [REF(1), REF(99)])],
      statusPages: [
        { slug: 'shop', title: 'Shop', components: [{ name: 'api', ruleIds: [REF(11)], monitorId: REF(1) }] },
      ],
      notificationPolicy: { route: { receiver: 'nobody' } },
    });
    assert.deepEqual(
      planImport(d, EMPTY, 'skip').issues.map((i) => i.path),
      [
        'notificationChannels.1.channel.name',
        'alertRules.0.rule.channels.1',
        'notificationPolicy.route.receiver',
        'statusPages.0.components.0.ruleIds.0',
        'statusPages.0.components.0.monitorId',
      ],
    );
  });

  it('a slug another tenant uses is a conflict; a built-in template the tenant lacks matches an ordinary dashboard by title', () => {
    const d = doc({
      statusPages: [{ slug: 'shop', title: 'Shop' }],
      dashboards: [{ builtIn: 'services', definition: { title: 'Services', panels: [] } }],
    });
    const plan = planImport(
      d,
      {
        ...EMPTY,
        slugsTakenElsewhere: new Set(['shop']),
        dashboards: [{ id: 'd1', builtIn: null, title: 'Services' }],
      },
      'overwrite',
    );
    assert.deepEqual(
      plan.items.map((i) => [i.kind, i.action, i.id]),
      [
        ['statusPage', 'conflict', null],
        ['dashboard', 'update', 'd1'],
      ],
    );
  });

  it('silences: one the tenant has, or one that ended, is skipped', () => {
    const matchers = [{ label: 'service', op: '=' as const, value: 'checkout' }];
    const d = doc({
      silences: [
        { matchers, startsAt: '2026-12-07T13:00:00Z', endsAt: '2026-12-07T14:00:00Z' },
        { matchers, startsAt: '2026-12-07T10:00:00Z', endsAt: '2026-12-07T11:00:00Z' },
        { matchers, startsAt: '2026-12-07T15:00:00Z', endsAt: '2026-12-07T16:00:00Z' },
      ],
    });
    const state = {
      ...EMPTY,
      silences: [
        {
          kind: 'silence',
          matchers,
          startsAtMs: Date.parse('2026-12-07T13:00:00Z'),
          endsAtMs: Date.parse('2026-12-07T14:00:00Z'),
        },
      ],
    };
    assert.deepEqual(
      planImport(d, state, 'skip').items.map((i) => i.action),
      ['skip', 'skip', 'create'],
    );
  });
});
