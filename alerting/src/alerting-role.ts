import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import type { DataSource } from 'typeorm';
import type { Registry } from 'prom-client';
import { createAlertingMetrics } from './alerting-metrics.js';
import { NotificationDispatcher } from './delivery/notification-dispatcher.js';
import type { HttpDelivery } from './delivery/http-delivery.js';
import { AlertHistory } from './history/alert-history.js';
import { RuleScheduler } from './scheduler/rule-scheduler.js';
import { NotificationRouter } from './scheduler/notification-router.js';
import type { SmtpDelivery } from './delivery/smtp-delivery.js';
import { ClickHouseAlertExcerpts } from './sources/alert-excerpts.js';
import type { ConditionReader } from './sources/condition-reader.js';
import type { QueryReads } from './sources/query-reads.js';

export interface AlertingRoleConfig {
  dataSource: DataSource;
  clickhouse: ClickHouseClient;
  reader: ConditionReader;
  /** The query API's reads (alert history is read under their limits). */
  reads: QueryReads;
  delivery: HttpDelivery;
  /** The SMTP relay of e-mail channels (TF_SMTP_*), when configured. */
  smtp?: SmtpDelivery | undefined;
  /** How often due rules and pending notifications are looked for. */
  pollMs: number;
  consoleUrl?: string | undefined;
  log: (msg: string) => void;
  /** Where tf_alerting_* metrics are registered (the process's /metrics). */
  registry?: Registry;
}

export interface AlertingRole {
  replicaId: string;
  stop(): Promise<void>;
}

/** The alerting role: the rule scheduler, the notification router and the notification dispatcher of this replica. */
export function startAlertingRole(cfg: AlertingRoleConfig): AlertingRole {
  const replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const history = new AlertHistory(cfg.clickhouse, cfg.reads);
  const metrics = cfg.registry ? { metrics: createAlertingMetrics(cfg.registry) } : {};
  const excerpts = new ClickHouseAlertExcerpts(cfg.reads.reader, {}, cfg.log);
  const scheduler = new RuleScheduler({
    dataSource: cfg.dataSource,
    excerpts,
    reader: cfg.reader,
    history,
    replicaId,
    log: cfg.log,
    ...metrics,
    ...(cfg.consoleUrl ? { consoleUrl: cfg.consoleUrl } : {}),
  });
  const router = new NotificationRouter({
    dataSource: cfg.dataSource,
    history,
    replicaId,
    pollMs: cfg.pollMs,
    excerpts,
    log: cfg.log,
    ...(cfg.consoleUrl ? { consoleUrl: cfg.consoleUrl } : {}),
  });
  const dispatcher = new NotificationDispatcher({
    dataSource: cfg.dataSource,
    delivery: cfg.delivery,
    smtp: cfg.smtp,
    consoleUrl: cfg.consoleUrl,
    history,
    log: cfg.log,
    ...metrics,
  });
  const loops = [scheduler.start(cfg.pollMs), router.start(), dispatcher.start(cfg.pollMs)];
  return {
    replicaId,
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
