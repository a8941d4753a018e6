// Connection hygiene of a telemetry listener, before any protocol runs: at most so many
// connections per client address, and a connection that has not made an authenticated
// request soon after it opened is closed (a client that connects and sends nothing, or only
// unauthenticated requests, holds no socket for long). Per-request timeouts belong to the
// protocol servers (Node's HTTP server, grpc-js); this covers what they do not.
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Open connections per client address and listener; more are closed at once. */
  maxPerAddress: number;
  /** A connection without an authenticated request this long after it opened is closed. */
  unauthenticatedTimeoutMs: number;
}

export type ConnectionCloseReason = 'address-limit' | 'unauthenticated';

interface Tracked {
  socket: Socket;
  address: string;
  timer: NodeJS.Timeout | undefined;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function clientAddress(remoteAddress: string | undefined): string {
  const address = remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class ConnectionGuard {
  private readonly perAddress = new Map<string, number>();
  /** By `address port` of the client side, how a protocol server names the connection. */
  private readonly byPeer = new Map<string, Tracked>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onClose: (reason: ConnectionCloseReason) => void = () => {},
  ) {}

  /** Connections open now. */
  get open(): number {
    return this.byPeer.size;
  }

  /** Takes a new connection; false (the socket destroyed) past the per-address limit. */
  accept(socket: Socket): boolean {
    const address = clientAddress(socket.remoteAddress);
    const count = this.perAddress.get(address) ?? 0;
    if (count >= this.limits.maxPerAddress) {
      socket.destroy();
      this.onClose('address-limit');
      return false;
    }
    if (socket.destroyed) return false;
    this.perAddress.set(address, count + 1);
    const peer = peerKey(socket.remoteAddress, socket.remotePort);
    const tracked: Tracked = { socket, address, timer: undefined };
    tracked.timer = setTimeout(() => {
      tracked.timer = undefined;
      this.onClose('unauthenticated');
      socket.destroy();
    }, this.limits.unauthenticatedTimeoutMs);
    tracked.timer.unref();
    this.byPeer.set(peer, tracked);
    socket.once('close', () => {
      if (tracked.timer) clearTimeout(tracked.timer);
      this.byPeer.delete(peer);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    });
    return true;
  }

  /** The connection from this client address and port made an authenticated request: it stays. */
  authenticated(remoteAddress: string | undefined, remotePort: number | undefined): void {
    const tracked = this.byPeer.get(peerKey(remoteAddress, remotePort));
    if (tracked?.timer) {
      clearTimeout(tracked.timer);
      tracked.timer = undefined;
    }
  }
}

function peerKey(address: string | undefined, port: number | undefined): string {
  return `${address ?? ''} ${port ?? ''}`;
}
