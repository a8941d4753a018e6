export interface DeliveryLimits {
  /** Items waiting for one subscription; newer items beyond it are dropped (and counted). */
  maxBuffered: number;
  /** Items in one delivery. */
  maxBatch: number;
  /** How long items gather before a delivery. */
  flushMs: number;
  /** A delivery not acknowledged for this long marks the client as stalled. */
  stallMs: number;
}

export const DEFAULT_DELIVERY_LIMITS: DeliveryLimits = {
  maxBuffered: 2000,
  maxBatch: 500,
  flushMs: 50,
  stallMs: 15_000,
};

export interface DeliverySink<T> {
  /** Sends a batch; the client calls `ack` when it took it. `dropped` counts items lost since the last batch. */
  send(items: T[], dropped: number, ack: () => void): void;
  /** Items started being dropped (once per run of drops, until a batch reports them). */
  dropping(): void;
  /** A batch stayed unacknowledged for `stallMs`. */
  stalled(): void;
}

/**
 * The way from the server to one slow or fast client: at most `maxBuffered` items wait,
 * and one batch is in flight until the client acknowledges it. A client that reads slower
 * than items arrive loses the newest items (it is told how many), so server memory per
 * subscription stays bounded whatever the client does.
 */
export class BoundedDelivery<T> {
  private buffer: T[] = [];
  private dropped = 0;
  private inFlight = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly sink: DeliverySink<T>,
    private readonly limits: DeliveryLimits = DEFAULT_DELIVERY_LIMITS,
  ) {}

  get buffered(): number {
    return this.buffer.length;
  }

  /** Items that fit in the buffer now; callers need not build more than this. */
  get room(): number {
    return this.closed ? 0 : Math.max(0, this.limits.maxBuffered - this.buffer.length);
  }

  /** Adds items; those beyond the room, and `skipped` more the caller did not build, count as dropped. */
  push(items: readonly T[], skipped = 0): void {
    if (this.closed || items.length + skipped === 0) return;
    const room = this.room;
    const lost = Math.max(0, items.length - room) + skipped;
    if (lost > 0) {
      if (this.dropped === 0) this.sink.dropping();
      this.dropped += lost;
    }
    for (let i = 0; i < room && i < items.length; i++) this.buffer.push(items[i]!);
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.buffer = [];
    clearTimeout(this.flushTimer);
    clearTimeout(this.stallTimer);
  }

  private schedule(): void {
    if (this.flushTimer || this.inFlight || this.closed) return;
    // A full batch goes at once; a partial one waits a moment for more.
    this.flushTimer = setTimeout(
      () => this.flush(),
      this.buffer.length >= this.limits.maxBatch ? 0 : this.limits.flushMs,
    );
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.closed || this.inFlight || (this.buffer.length === 0 && this.dropped === 0)) return;
    const batch = this.buffer.splice(0, this.limits.maxBatch);
    const dropped = this.dropped;
    this.dropped = 0;
    this.inFlight = true;
    this.stallTimer = setTimeout(() => {
      if (!this.closed) this.sink.stalled();
    }, this.limits.stallMs);
    let acked = false;
    this.sink.send(batch, dropped, () => {
      if (acked) return;
      acked = true;
      clearTimeout(this.stallTimer);
      this.inFlight = false;
      if (this.buffer.length > 0 || this.dropped > 0) this.schedule();
    });
  }
}
