import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  LiveDashboardSubscribeSchema,
  LiveSubscribeSchema,
  LiveUnsubscribeSchema,
  type LiveAck,
  type LiveItems,
  type LiveNotice,
  type LogDto,
  type SpanDto,
} from '@telemetryflow/contract';
import type { z } from 'zod';
import { ApiError, type Caller } from '@telemetryflow/http-kit';
import { BoundedDelivery, DEFAULT_DELIVERY_LIMITS, type DeliveryLimits } from './bounded-delivery.js';
import type { LiveHub, LiveSubscription } from './live-hub.js';
import { SharedDashboardFeeds } from './shared-dashboard-feeds.js';

/** Renders one dashboard of a tenant over `range` (default: the dashboard's own time range) with variable values. */
export type RenderDashboard = (
  tenantId: string,
  dashboardId: string,
  range: { fromMs: number; toMs: number } | undefined,
  variables: Record<string, string | string[]> | undefined,
) => Promise<unknown>;

export interface LiveGatewayConfig {
  hub: LiveHub;
  resolveCaller(token: string, tenant?: string): Promise<Caller | null>;
  renderDashboard?: RenderDashboard;
  limits?: Partial<DeliveryLimits>;
  /** Subscriptions (tail and dashboard) one connection may hold (default 8). */
  maxSubscriptionsPerSocket?: number;
  /** Open connections per tenant (default 100) and in all (default 2000): with the per-subscription bounds, what caps memory. */
  maxConnectionsPerTenant?: number;
  maxConnections?: number;
  /** How often a connection's credential is resolved again, so a lost membership or role stops streaming (default 60 s). */
  recheckMs?: number;
  /**
   * Revoked sessions and API keys as this process learns of them (within 5 s of the revocation on
   * any replica): their connections close at once instead of at the next recheck. A `membership`
   * (subject: a user who lost one) has that user's connections checked again at once.
   */
  onRevoked?: (listener: (revoked: { kind: 'session' | 'api_key' | 'membership'; id: string }) => void) => () => void;
  /** Dashboard subscriptions per tenant over all connections (default 20). */
  maxDashboardFeedsPerTenant?: number;
  /** Feed renders under way at once over all feeds (default 1: the embedded engine runs one query at a time, and API requests must get between them); a tick without room is skipped. */
  maxConcurrentFeedRenders?: number;
}

export interface LiveGateway {
  close(): Promise<void>;
}

type Ack = (answer: LiveAck) => void;

interface SocketState {
  caller: Caller;
  token: string;
  tenant: string | undefined;
  tails: Map<string, LiveSubscription>;
  dashboards: Map<string, () => void>;
}

/**
 * socket.io namespace `/live` on the API's HTTP server. A connection authenticates with
 * `auth: { token, tenant? }` (API key or access token, as in `Authorization: Bearer`) and
 * needs the `read` permission. Client → server: `subscribe`, `unsubscribe`,
 * `dashboard:subscribe`, each answered through the acknowledgement. Server → client:
 * `items` and `dashboard` (acknowledge each to get the next), `notice`.
 */
export function attachLiveGateway(httpServer: HttpServer, cfg: LiveGatewayConfig): LiveGateway {
  const limits = { ...DEFAULT_DELIVERY_LIMITS, ...cfg.limits };
  const maxSubs = cfg.maxSubscriptionsPerSocket ?? 8;
  const maxPerTenant = cfg.maxConnectionsPerTenant ?? 100;
  const maxConnections = cfg.maxConnections ?? 2000;
  const recheckMs = cfg.recheckMs ?? 60_000;
  const maxFeeds = cfg.maxDashboardFeedsPerTenant ?? 20;
  const connections = new Map<string, number>();
  const feeds = new Map<string, number>();
  const maxFeedRenders = cfg.maxConcurrentFeedRenders ?? 1;
  let feedRenders = 0;
  const sharedFeeds = new SharedDashboardFeeds<unknown>(() => feedRenders < maxFeedRenders);
  let total = 0;
  const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024, cors: { origin: false } });
  const nsp: Namespace = io.of('/live');
  const states = new WeakMap<Socket, SocketState>();
  // Open connections by the session or key of their credential, for revocations.
  const byCredential = new Map<string, Set<Socket>>();
  const credentialOf = (caller: Caller) =>
    caller.sessionId !== undefined
      ? `session:${caller.sessionId}`
      : caller.keyId !== undefined
        ? `api_key:${caller.keyId}`
        : undefined;
  const rechecks = new WeakMap<Socket, () => void>();
  const unsubscribe = cfg.onRevoked?.((revoked) => {
    if (revoked.kind === 'membership') {
      for (const socket of byCredential.get(`user:${revoked.id}`) ?? []) rechecks.get(socket)?.();
      return;
    }
    for (const socket of byCredential.get(`${revoked.kind}:${revoked.id}`) ?? []) {
      socket.emit('notice', {
        code: 'credential_revoked',
        message: 'the credential of this connection is no longer valid',
      } satisfies LiveNotice);
      socket.disconnect(true);
    }
  });

  nsp.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown; tenant?: unknown };
    const token = auth.token;
    if (typeof token !== 'string' || token === '')
      return next(connectError('unauthenticated', 'auth.token (API key or access token) is required'));
    const tenant = typeof auth.tenant === 'string' ? auth.tenant : undefined;
    cfg
      .resolveCaller(token, tenant)
      .then((caller) => {
        if (!caller) return next(connectError('unauthenticated', 'unknown, expired or revoked credential'));
        if (!caller.permissions.has('read'))
          return next(connectError('forbidden', 'this credential lacks the "read" permission'));
        if (total >= maxConnections || (connections.get(caller.tenantId) ?? 0) >= maxPerTenant) {
          return next(connectError('too_many_connections', 'too many live connections; close one or retry later'));
        }
        states.set(socket, { caller, token, tenant, tails: new Map(), dashboards: new Map() });
        next();
      })
      .catch((err: unknown) =>
        next(
          connectError(
            err instanceof ApiError ? err.code : 'unavailable',
            err instanceof ApiError ? err.message : 'the credential store is unavailable; retry later',
          ),
        ),
      );
  });

  nsp.on('connection', (socket) => {
    const state = states.get(socket)!;
    const tenantId = state.caller.tenantId;
    const notice = (n: LiveNotice) => socket.emit('notice', n);
    const full = () => state.tails.size + state.dashboards.size >= maxSubs;
    // Handshakes that passed the check at the same time: the counts are exact only here.
    if (total >= maxConnections || (connections.get(tenantId) ?? 0) >= maxPerTenant) {
      socket.emit('notice', {
        code: 'too_many_connections',
        message: 'too many live connections; close one or retry later',
      } satisfies LiveNotice);
      socket.disconnect(true);
      return;
    }
    connections.set(tenantId, (connections.get(tenantId) ?? 0) + 1);
    total++;
    const credential = credentialOf(state.caller);
    const user = state.caller.userId !== undefined ? `user:${state.caller.userId}` : undefined;
    for (const k of [credential, user]) {
      if (k === undefined) continue;
      const open = byCredential.get(k) ?? new Set<Socket>();
      byCredential.set(k, open.add(socket));
    }
    // A key revoked (or a role lost) after connecting stops streaming at the next check.
    const refuse = () => {
      notice({ code: 'credential_revoked', message: 'the credential of this connection is no longer valid' });
      socket.disconnect(true);
    };
    const check = () =>
      cfg.resolveCaller(state.token, state.tenant).then(
        (caller) => {
          if (caller?.tenantId !== tenantId || !caller.permissions.has('read')) refuse();
        },
        (err: unknown) => {
          // No longer a member of the tenant asked for (404); an unreachable store: check again later.
          if (err instanceof ApiError && err.status < 500) refuse();
        },
      );
    rechecks.set(socket, () => void check());
    const recheck = setInterval(check, recheckMs);

    socket.on('subscribe', (raw: unknown, ack: unknown) => {
      const answer = ackOf(ack);
      const parsed = parse(LiveSubscribeSchema, raw, answer);
      if (!parsed) return;
      if (full()) return answer(error('too_many_subscriptions', `at most ${maxSubs} subscriptions per connection`));
      const id = randomUUID();
      const sink = <T extends LogDto | SpanDto>(signal: LiveItems['signal']) => ({
        send: (items: T[], dropped: number, done: () => void) => {
          socket.emit('items', { subscription: id, signal, items, dropped } as LiveItems, done);
        },
        dropping: () =>
          notice({
            code: 'items_dropped',
            message: 'the client reads slower than items arrive: newer items are dropped until it catches up',
            subscription: id,
          }),
        stalled: () => {
          notice({
            code: 'slow_client_disconnected',
            message: `a delivery was not acknowledged within ${limits.stallMs} ms`,
            subscription: id,
          });
          socket.disconnect(true);
        },
      });
      const sub: LiveSubscription =
        parsed.signal === 'logs'
          ? {
              signal: 'logs',
              filter: parsed.filter,
              delivery: new BoundedDelivery<LogDto>(sink<LogDto>('logs'), limits),
            }
          : {
              signal: 'spans',
              filter: parsed.filter,
              delivery: new BoundedDelivery<SpanDto>(sink<SpanDto>('spans'), limits),
            };
      state.tails.set(id, sub);
      cfg.hub.add(tenantId, sub);
      answer({ data: { subscription: id } });
    });

    socket.on('unsubscribe', (raw: unknown, ack: unknown) => {
      const answer = ackOf(ack);
      const parsed = parse(LiveUnsubscribeSchema, raw, answer);
      if (!parsed) return;
      const tail = state.tails.get(parsed.subscription);
      const dashboard = state.dashboards.get(parsed.subscription);
      if (!tail && !dashboard) return answer(error('not_found', 'no such subscription on this connection'));
      if (tail) cfg.hub.remove(tenantId, tail);
      dashboard?.();
      state.tails.delete(parsed.subscription);
      state.dashboards.delete(parsed.subscription);
      answer({ data: { subscription: parsed.subscription } });
    });

    socket.on('dashboard:subscribe', (raw: unknown, ack: unknown) => {
      const answer = ackOf(ack);
      const render = cfg.renderDashboard;
      if (!render) return answer(error('unavailable', 'dashboards are not served here'));
      const parsed = parse(LiveDashboardSubscribeSchema, raw, answer);
      if (!parsed) return;
      if (full()) return answer(error('too_many_subscriptions', `at most ${maxSubs} subscriptions per connection`));
      if ((feeds.get(tenantId) ?? 0) >= maxFeeds)
        return answer(error('too_many_subscriptions', `at most ${maxFeeds} dashboard feeds per tenant`));
      const id = randomUUID();
      let stop: (() => void) | undefined;
      // The slots are taken now, so subscriptions racing the first render still count.
      feeds.set(tenantId, (feeds.get(tenantId) ?? 0) + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (feeds.get(tenantId) ?? 1) - 1;
        if (left === 0) feeds.delete(tenantId);
        else feeds.set(tenantId, left);
      };
      state.dashboards.set(id, () => {
        stop?.();
        release();
      });
      const range = () =>
        parsed.lastSeconds === undefined
          ? undefined
          : { fromMs: Date.now() - parsed.lastSeconds * 1000, toMs: Date.now() };
      const watcher = {
        send: (data: unknown, done: () => void) =>
          socket.emit('dashboard', { subscription: id, dashboardId: parsed.dashboardId, data }, done),
        failed: (err: unknown) => notice({ code: 'render_skipped', message: errorMessage(err), subscription: id }),
      };
      const counted = async () => {
        feedRenders++;
        try {
          return await render(tenantId, parsed.dashboardId, range(), parsed.variables);
        } finally {
          feedRenders--;
        }
      };
      // Followers of the same dashboard, range, interval and variables in a tenant share one feed.
      const key = JSON.stringify([
        tenantId,
        parsed.dashboardId,
        parsed.lastSeconds ?? null,
        parsed.intervalSeconds,
        parsed.variables ?? {},
      ]);
      // The first render answers the subscription: an unknown dashboard is refused there.
      sharedFeeds.join(key, counted, parsed.intervalSeconds * 1000, watcher).then(
        (leave) => {
          stop = leave;
          if (!state.dashboards.has(id))
            leave(); // the client left or unsubscribed meanwhile
          else answer({ data: { subscription: id } });
        },
        (err: unknown) => {
          state.dashboards.delete(id);
          release();
          answer(err instanceof ApiError ? error(err.code, err.message) : error('internal', errorMessage(err)));
        },
      );
    });

    socket.on('disconnect', () => {
      clearInterval(recheck);
      for (const k of [credential, user]) {
        if (k === undefined) continue;
        const open = byCredential.get(k);
        open?.delete(socket);
        if (open?.size === 0) byCredential.delete(k);
      }
      total--;
      const left = (connections.get(tenantId) ?? 1) - 1;
      if (left === 0) connections.delete(tenantId);
      else connections.set(tenantId, left);
      for (const sub of state.tails.values()) cfg.hub.remove(tenantId, sub);
      for (const stop of state.dashboards.values()) stop();
      state.tails.clear();
      state.dashboards.clear();
    });
  });

  return {
    async close() {
      unsubscribe?.();
      nsp.disconnectSockets(true);
      // Not io.close(): that would close the HTTP server, which the API owns.
      io.engine.close();
    },
  };
}

function connectError(code: string, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/** What a client may read about a failed render: API errors as they are, anything else generically. */
function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : 'rendering the dashboard failed; see the server log';
}

function error(code: string, message: string): LiveAck {
  return { error: { code, message } };
}

function ackOf(ack: unknown): Ack {
  return typeof ack === 'function' ? (ack as Ack) : () => {};
}

function parse<T extends z.ZodType>(schema: T, raw: unknown, answer: Ack): z.output<T> | undefined {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  answer(error('invalid_parameter', `${path === '' ? 'message' : path}: ${issue.message}`));
  return undefined;
}
