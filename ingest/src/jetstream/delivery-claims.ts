// Which deliveries a writer process works on, and which it acked lately. JetStream may hand
// out one delivery twice (seen with nats-server 2.9 pull requests), even after it was acked:
// a batch takes one copy per sequence, none that another batch of this process holds, and
// none this process has already settled (acks are confirmed, so such a copy is stale).
import type { JsMsg } from '@nats-io/jetstream';
import type { Signal } from '@telemetryflow/otlp';

export class DeliveryClaims {
  /** `signal:seq` of the messages batches of this process are working on. */
  private readonly holding = new Set<string>();
  /** Stream sequences this process acked lately, per signal. */
  private readonly settled = new RecentSequences(100_000);

  /**
   * The deliveries of a pull that a batch takes on, one per sequence (the latest delivery),
   * ascending; they count as held until `release`.
   */
  claim(signal: Signal, pulled: readonly JsMsg[]): JsMsg[] {
    const bySeq = new Map<number, JsMsg>();
    for (const m of pulled) {
      const kept = bySeq.get(m.seq);
      // Settled here already, or in the hands of another batch of this process.
      if (this.settled.has(signal, m.seq) || this.holding.has(`${signal}:${m.seq}`)) continue;
      if (!kept || m.info.deliveryCount > kept.info.deliveryCount) bySeq.set(m.seq, m);
    }
    const msgs = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    for (const m of msgs) this.holding.add(`${signal}:${m.seq}`);
    return msgs;
  }

  /** The batch that claimed these deliveries is done with them (settled or handed back). */
  release(signal: Signal, msgs: readonly JsMsg[]): void {
    for (const m of msgs) this.holding.delete(`${signal}:${m.seq}`);
  }

  /** These deliveries were acked (confirmed): a later copy of them is stale. */
  acked(signal: Signal, msgs: readonly JsMsg[]): void {
    for (const m of msgs) this.settled.add(signal, m.seq);
  }
}

/** A bounded set of recent stream sequences per signal (oldest forgotten first). */
class RecentSequences {
  private readonly sets = new Map<Signal, Set<number>>();

  constructor(private readonly capacity: number) {}

  has(signal: Signal, seq: number): boolean {
    return this.sets.get(signal)?.has(seq) ?? false;
  }

  add(signal: Signal, seq: number): void {
    let set = this.sets.get(signal);
    if (!set) this.sets.set(signal, (set = new Set()));
    set.add(seq);
    // Sets iterate in insertion order: the first is the oldest.
    if (set.size > this.capacity) set.delete(set.values().next().value!);
  }
}
