import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long the API waits for clients, and how many connections one client address may hold. */
export interface HttpServerLimits {
  /** Request headers complete within this time of the request's start; a connection that sends nothing is closed after it too. */
  headersTimeoutMs: number;
  /** The whole request, body included, within this time of its start (a body trickling in is cut off). */
  bodyTimeoutMs: number;
  /** Answered within this time; beyond, 503 `request_timeout` and the connection is closed. */
  requestTimeoutMs: number;
  /** A kept-alive connection with no request under way is closed after this long. */
  idleTimeoutMs: number;
  /** Connections one client (TCP peer) address may hold open at once; more are closed at once. 0: no cap. */
  maxConnectionsPerAddress: number;
}

export const DEFAULT_HTTP_SERVER_LIMITS: HttpServerLimits = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  idleTimeoutMs: 5_000,
  maxConnectionsPerAddress: 64,
};

/**
 * Node's own timeouts of an HTTP server: headers, whole request, keep-alive. Node checks the
 * first two every `connectionsCheckingInterval` (30 s by default, read when the server starts
 * listening), so that interval is shortened to keep the cut-off close to the setting.
 */
export function applyClientTimeouts(server: Server, limits: HttpServerLimits): void {
  if (limits.headersTimeoutMs > limits.bodyTimeoutMs)
    throw new Error('the headers timeout must not exceed the body timeout (the whole request)');
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.bodyTimeoutMs;
  server.keepAliveTimeout = limits.idleTimeoutMs;
  // A documented option of http.createServer that @types/node does not list as a property.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)),
  );
}

/** Closes a new connection at once when its address already holds `max` open ones. */
export function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = open.get(address) ?? 0;
    if (n >= max) {
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
