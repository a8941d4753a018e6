// `pnpm bench:query`'s mutating phase: what the audit log adds to state-changing API calls.
// Two API servers over the all-in-one's own ClickHouse and control-plane database, identical but
// for the audit log (one writes every event to the Postgres outbox before it answers, ADR 0022;
// the other writes none), take the same calls in alternating rounds — dashboard create, update
// and delete, alert rule update — so load on the machine falls on both alike.
// TF_BENCH_MUTATING_ROUNDS rounds (default 10) of TF_BENCH_MUTATING_BATCH iterations (default 20).
import { performance } from 'node:perf_hooks';
import { AddressGuard, AlertingApiModule, ClickHouseConditionReader, HttpDelivery } from '@telemetryflow/alerting';
import { createQueryReads } from '@telemetryflow/query';
import { startQueryServer, type QueryServer } from '@telemetryflow/query/app';
import type { RunningAllInOne } from '@telemetryflow/server';
import { envInt } from './bench-store.js';
import { formatMs, percentile, renderTable } from './stats.js';

const ROUNDS = envInt('TF_BENCH_MUTATING_ROUNDS', 10);
const BATCH = envInt('TF_BENCH_MUTATING_BATCH', 20);
const CASES = ['dashboard create', 'dashboard update', 'alert rule update', 'dashboard delete'] as const;
type CaseName = (typeof CASES)[number];
type Side = 'on' | 'off';

const dashboard = (title: string, unit: string) => ({
  title,
  tags: ['bench'],
  panels: [
    {
      type: 'line',
      title: 'Requests',
      query: { signal: 'spans', measure: 'count', groupBy: ['service'] },
      layout: { x: 0, y: 0, w: 6, h: 4 },
      options: { unit },
    },
  ],
});

const rule = (value: number) => ({
  name: 'bench: checkout errors',
  condition: {
    kind: 'span',
    measure: 'error_rate',
    service: 'svc-1',
    window: '5m',
    threshold: { op: 'above', value },
  },
  interval: '1m',
  severity: 'warning',
});

/** One timed call; throws unless it answered `expect`. */
async function timed(
  base: string,
  key: string,
  requestId: string,
  method: string,
  path: string,
  expect: number,
  body?: unknown,
): Promise<{ ms: number; json: { data?: { id?: string } } | undefined }> {
  const t0 = performance.now();
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'x-request-id': requestId,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== expect) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return { ms, json: text ? (JSON.parse(text) as { data?: { id?: string } }) : undefined };
}

export async function mutatingPhase(node: RunningAllInOne, apiKey: string): Promise<void> {
  const ch = node.clickhouse;
  const reads = createQueryReads(ch);
  const delivery = new HttpDelivery({ guard: new AddressGuard(), log: () => {} });
  const start = (auditLog: boolean) =>
    startQueryServer({
      host: '127.0.0.1',
      port: 0,
      clickhouse: ch,
      controlPlane: node.controlPlane,
      clickhouseMigrated: async () => true,
      log: () => {},
      resultCache: { ttlMs: 0 },
      auditLog,
      modules: [
        AlertingApiModule.forRoot({
          controlPlane: node.controlPlane,
          clickhouse: ch,
          reader: new ClickHouseConditionReader(ch, reads),
          reads,
          delivery,
        }),
      ],
    });
  const servers: Record<Side, QueryServer> = { on: await start(true), off: await start(false) };
  try {
    const created = await timed(servers.on.url, apiKey, 'bench-setup', 'POST', '/api/v1/alert-rules', 201, rule(0.1));
    const ruleId = created.json!.data!.id!;
    const samples: Record<Side, Record<CaseName, number[]>> = {
      on: Object.fromEntries(CASES.map((c) => [c, []])) as unknown as Record<CaseName, number[]>,
      off: Object.fromEntries(CASES.map((c) => [c, []])) as unknown as Record<CaseName, number[]>,
    };
    const requests: Record<Side, number> = { on: 0, off: 0 };
    const roundP95: Record<Side, number[]> = { on: [], off: [] };
    // Process CPU (every thread: the embedded Postgres runs on this one, ClickHouse on its own)
    // while each side's rounds ran: less sensitive to the machine's load than latency.
    const cpuMs: Record<Side, number> = { on: 0, off: 0 };

    const iteration = async (side: Side, n: number, record: boolean) => {
      const base = servers[side].url;
      const id = (what: string) => `${record ? 'bench-mut' : 'bench-warm'}-${side}-${n}-${what}`;
      const calls: [CaseName, () => ReturnType<typeof timed>][] = [];
      let dashboardId = '';
      calls.push([
        'dashboard create',
        async () => {
          const r = await timed(
            base,
            apiKey,
            id('c'),
            'POST',
            '/api/v1/dashboards',
            201,
            dashboard(`bench ${side} ${n}`, 'ms'),
          );
          dashboardId = r.json!.data!.id!;
          return r;
        },
      ]);
      calls.push([
        'dashboard update',
        () =>
          timed(
            base,
            apiKey,
            id('u'),
            'PUT',
            `/api/v1/dashboards/${dashboardId}`,
            200,
            dashboard(`bench ${side} ${n}`, 's'),
          ),
      ]);
      calls.push([
        'alert rule update',
        () => timed(base, apiKey, id('r'), 'PUT', `/api/v1/alert-rules/${ruleId}`, 200, rule(0.1 + (n % 50) / 1000)),
      ]);
      calls.push([
        'dashboard delete',
        () => timed(base, apiKey, id('d'), 'DELETE', `/api/v1/dashboards/${dashboardId}`, 204),
      ]);
      const round: number[] = [];
      for (const [name, call] of calls) {
        const { ms } = await call();
        if (!record) continue;
        samples[side][name].push(ms);
        round.push(ms);
        requests[side]++;
      }
      return round;
    };

    // Warm-up of both, not recorded; then alternating rounds, the order swapped every round.
    for (let i = 0; i < BATCH; i++) for (const side of ['on', 'off'] as const) await iteration(side, i, false);
    let n = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const side of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const round: number[] = [];
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < BATCH; i++) round.push(...(await iteration(side, n++, true)));
        const cpu = process.cpuUsage(cpu0);
        cpuMs[side] += (cpu.user + cpu.system) / 1000;
        roundP95[side].push(percentile(round, 95));
      }
    }

    // The audited server wrote one event per call, the other none.
    await servers.on.drainAuditOutbox();
    const counted = await ch.query({
      query: `SELECT countIf(RequestId LIKE 'bench-mut-on-%') AS on, countIf(RequestId LIKE 'bench-mut-off-%') AS off
                FROM audit_events FINAL WHERE RequestId LIKE 'bench-mut-%'`,
      format: 'JSONEachRow',
    });
    const [events] = await counted.json<{ on: string; off: string }>();
    const eventsOn = Number(events?.on ?? 0);
    const eventsOff = Number(events?.off ?? 0);
    if (eventsOn < requests.on || eventsOff !== 0)
      throw new Error(`audit events: ${eventsOn} for ${requests.on} audited calls, ${eventsOff} for unaudited ones`);

    const overhead = (on: number, off: number) => `${(((on - off) / off) * 100).toFixed(1)} %`;
    const rows = [...CASES, 'all mutating calls' as const].map((c) => {
      const pick = (side: Side) =>
        c === 'all mutating calls' ? CASES.flatMap((x) => samples[side][x]) : samples[side][c];
      const [on, off] = [pick('on'), pick('off')];
      const [p50on, p50off, p95on, p95off] = [
        percentile(on, 50),
        percentile(off, 50),
        percentile(on, 95),
        percentile(off, 95),
      ];
      return [c, formatMs(p50off), formatMs(p50on), formatMs(p95off), formatMs(p95on), overhead(p95on, p95off)];
    });
    console.log(
      `\nMutating phase: ${ROUNDS} alternating rounds of ${BATCH} iterations (${CASES.length} calls each) per server; ${requests.on} audited calls wrote ${eventsOn} audit events, ${requests.off} unaudited calls none\n`,
    );
    console.log(
      renderTable(
        ['mutating call', 'p50 ms audit off', 'p50 ms audit on', 'p95 ms audit off', 'p95 ms audit on', 'p95 added'],
        rows,
      ),
    );
    const perCall = (side: Side) => cpuMs[side] / requests[side];
    console.log(
      `\nprocess CPU per call (ms): audit off ${perCall('off').toFixed(2)}, audit on ${perCall('on').toFixed(2)} (${overhead(perCall('on'), perCall('off'))})`,
    );
    console.log(
      `p95 of each round (ms), audit off: ${roundP95.off.map(formatMs).join(' ')}\np95 of each round (ms), audit on:  ${roundP95.on.map(formatMs).join(' ')}`,
    );
    await timed(servers.on.url, apiKey, 'bench-teardown', 'DELETE', `/api/v1/alert-rules/${ruleId}`, 204);
  } finally {
    await servers.on.close();
    await servers.off.close();
    await delivery.close();
  }
}
