import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  LiveDashboardSubscribeSchema, LiveSubscribeSchema, LiveUnsubscribeSchema,
  type LiveAck, type LiveItems, type LiveNotice, type LogDto, type SpanDto,
} from '@telemetryflow/schemas';
import type { z } from 'zod';
import type { Caller } from '../http/access.js';
import { ApiError } from '../http/api-error.js';
import { BoundedDelivery, DEFAULT_DELIVERY_LIMITS, type DeliveryLimits } from './bounded-delivery.js';
import type { LiveHub, LiveSubscription } from './live-hub.js';

/** Renders one dashboard of a tenant over `range` (default: the dashboard's own time range). */
export type RenderDashboard = (tenantId: string, dashboardId: string, range?: { fromMs: number; toMs: number }) => Promise<unknown>;

export interface LiveGatewayConfig {
  hub: LiveHub;
  resolveCaller(token: string, tenant?: string): Promise<Caller | null>;
  renderDashboard?: RenderDashboard;
  limits?: Partial<DeliveryLimits>;
  /** Subscriptions (tail and dashboard) one connection may hold. */
  maxSubscriptionsPerSocket?: number;
}

export interface LiveGateway {
  close(): Promise<void>;
}

type Ack = (answer: LiveAck) => void;

interface SocketState {
  caller: Caller;
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
  const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024, cors: { origin: false } });
  const nsp: Namespace = io.of('/live');
  const states = new WeakMap<Socket, SocketState>();

  nsp.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown; tenant?: unknown };
    if (typeof auth.token !== 'string' || auth.token === '') return next(connectError('unauthenticated', 'auth.token (API key or access token) is required'));
    cfg
      .resolveCaller(auth.token, typeof auth.tenant === 'string' ? auth.tenant : undefined)
      .then((caller) => {
        if (!caller) return next(connectError('unauthenticated', 'unknown, expired or revoked credential'));
        if (!caller.permissions.has('read')) return next(connectError('forbidden', 'this credential lacks the "read" permission'));
        states.set(socket, { caller, tails: new Map(), dashboards: new Map() });
        next();
      })
      .catch((err: unknown) => next(connectError(err instanceof ApiError ? err.code : 'unavailable', err instanceof ApiError ? err.message : 'the credential store is unavailable; retry later')));
  });

  nsp.on('connection', (socket) => {
    const state = states.get(socket)!;
    const tenantId = state.caller.tenantId;
    const notice = (n: LiveNotice) => socket.emit('notice', n);
    const full = () => state.tails.size + state.dashboards.size >= maxSubs;

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
        dropping: () => notice({ code: 'items_dropped', message: 'the client reads slower than items arrive: newer items are dropped until it catches up', subscription: id }),
        stalled: () => {
          notice({ code: 'slow_client_disconnected', message: `a delivery was not acknowledged within ${limits.stallMs} ms`, subscription: id });
          socket.disconnect(true);
        },
      });
      const sub: LiveSubscription =
        parsed.signal === 'logs'
          ? { signal: 'logs', filter: parsed.filter, delivery: new BoundedDelivery<LogDto>(sink<LogDto>('logs'), limits) }
          : { signal: 'spans', filter: parsed.filter, delivery: new BoundedDelivery<SpanDto>(sink<SpanDto>('spans'), limits) };
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
      const id = randomUUID();
      const range = () => (parsed.lastSeconds === undefined ? undefined : { fromMs: Date.now() - parsed.lastSeconds * 1000, toMs: Date.now() });
      // The first render answers the subscription (an unknown dashboard is refused there);
      // later ones are skipped while the client has not acknowledged the previous result.
      void render(tenantId, parsed.dashboardId, range()).then(
        (first) => {
          if (socket.disconnected) return;
          let waiting = false;
          let rendering = false;
          const push = (data: unknown) => {
            waiting = true;
            socket.emit('dashboard', { subscription: id, dashboardId: parsed.dashboardId, data }, () => {
              waiting = false;
            });
          };
          const timer = setInterval(() => {
            if (waiting || rendering) return;
            rendering = true;
            render(tenantId, parsed.dashboardId, range())
              .then(push, (err: unknown) => notice({ code: 'render_skipped', message: err instanceof Error ? err.message : String(err), subscription: id }))
              .finally(() => {
                rendering = false;
              });
          }, parsed.intervalSeconds * 1000);
          state.dashboards.set(id, () => clearInterval(timer));
          answer({ data: { subscription: id } });
          push(first);
        },
        (err: unknown) => answer(err instanceof ApiError ? error(err.code, err.message) : error('internal', 'rendering the dashboard failed')),
      );
    });

    socket.on('disconnect', () => {
      for (const sub of state.tails.values()) cfg.hub.remove(tenantId, sub);
      for (const stop of state.dashboards.values()) stop();
      state.tails.clear();
      state.dashboards.clear();
    });
  });

  return {
    async close() {
      nsp.disconnectSockets(true);
      // Not io.close(): that would close the HTTP server, which the API owns.
      io.engine.close();
    },
  };
}

function connectError(code: string, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
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
