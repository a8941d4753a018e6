// Messages a writer gave up on (undecodable, or refused by ClickHouse as data again and
// again) go to a dead-letter stream with the reason, so one poison request cannot stall a
// consumer and nothing is silently dropped. Operators list them and replay them.
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { BUS_HEADERS, busSubject, SIGNALS, type Signal } from '@telemetryflow/otlp';
import type { BusConnection } from './bus-connection.js';
import { deadLetterSubject, type JetStreamSettings } from './topology.js';

export interface DeadLetter {
  /** Sequence in the dead-letter stream. */
  seq: number;
  signal: Signal;
  tenantId: string;
  reason: string;
  /** Sequence the message had in the telemetry stream. */
  originalSeq: number;
  bytes: number;
  deadAt: Date;
}

/** The message as a writer received it: body and headers. */
export interface BusMessage {
  seq: number;
  data: Uint8Array;
  headers: MsgHdrs | undefined;
}

export async function sendToDeadLetters(
  bus: BusConnection,
  signal: Signal,
  msg: BusMessage,
  reason: string,
): Promise<void> {
  const h = natsHeaders();
  for (const key of [BUS_HEADERS.tenant, BUS_HEADERS.receivedAtNs]) {
    const value = msg.headers?.get(key);
    if (value) h.set(key, value);
  }
  h.set(BUS_HEADERS.deadLetterReason, reason.slice(0, 1000).replace(/[\r\n]+/g, ' '));
  h.set(BUS_HEADERS.deadLetterSeq, String(msg.seq));
  // The id makes a writer that dies after this publish and before its ack store it once.
  await bus.js.publish(deadLetterSubject(signal), msg.data, { headers: h, msgID: `dead-${signal}-${msg.seq}` });
}

function signalOf(subject: string): Signal | undefined {
  return SIGNALS.find((s) => deadLetterSubject(s) === subject);
}

export async function listDeadLetters(
  bus: BusConnection,
  settings: JetStreamSettings,
  limit = 1000,
): Promise<DeadLetter[]> {
  const info = await bus.jsm.streams.info(settings.deadLetterStream);
  const letters: DeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && letters.length < limit; seq++) {
    const m = await bus.jsm.streams.getMessage(settings.deadLetterStream, { seq }).catch(() => null);
    const signal = m && signalOf(m.subject);
    if (!m || !signal) continue;
    letters.push({
      seq,
      signal,
      tenantId: m.header.get(BUS_HEADERS.tenant),
      reason: m.header.get(BUS_HEADERS.deadLetterReason),
      originalSeq: Number(m.header.get(BUS_HEADERS.deadLetterSeq)),
      bytes: m.data.byteLength,
      deadAt: m.time,
    });
  }
  return letters;
}

/**
 * Publishes dead letters back to the telemetry stream (after the cause was fixed) and
 * removes them from the dead-letter stream. Returns the sequences replayed.
 */
export async function replayDeadLetters(
  bus: BusConnection,
  settings: JetStreamSettings,
  seqs: readonly number[],
): Promise<number[]> {
  const replayed: number[] = [];
  for (const seq of seqs) {
    const m = await bus.jsm.streams.getMessage(settings.deadLetterStream, { seq }).catch(() => null);
    const signal = m && signalOf(m.subject);
    if (!m || !signal) continue;
    const h = natsHeaders();
    h.set(BUS_HEADERS.tenant, m.header.get(BUS_HEADERS.tenant));
    h.set(BUS_HEADERS.receivedAtNs, m.header.get(BUS_HEADERS.receivedAtNs));
    await bus.js.publish(busSubject(signal, m.header.get(BUS_HEADERS.tenant)), m.data, {
      headers: h,
      msgID: `replay-${settings.deadLetterStream}-${seq}`,
    });
    await bus.jsm.streams.deleteMessage(settings.deadLetterStream, seq);
    replayed.push(seq);
  }
  return replayed;
}
