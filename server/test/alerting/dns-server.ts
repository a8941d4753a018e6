// A DNS server on loopback (UDP, A and AAAA records) and a resolver that asks it, so tests
// can give names any address — IPv4-compatible, NAT64, 6to4 — without touching the system.
import { createSocket } from 'node:dgram';
import type { LookupAddress } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ipv6Value } from '@telemetryflow/alerting';

const TYPE_A = 1;
const TYPE_AAAA = 28;

export interface DnsServer {
  /** Resolves through this server only, as HttpDelivery's `resolve` expects. */
  resolve(hostname: string): Promise<LookupAddress[]>;
  close(): Promise<void>;
}

function questionName(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (msg[at]! !== 0) {
    labels.push(msg.subarray(at + 1, at + 1 + msg[at]!).toString('ascii'));
    at += 1 + msg[at]!;
  }
  return { name: labels.join('.').toLowerCase(), end: at + 1 };
}

function rdata(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const value = ipv6Value(address);
  return Buffer.from(Array.from({ length: 16 }, (_, i) => Number((value >> BigInt(8 * (15 - i))) & 0xffn)));
}

/** Answers every name in `records` with its addresses; other names do not exist (NXDOMAIN). */
export async function startDnsServer(records: Record<string, string[]>): Promise<DnsServer> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    const { name, end } = questionName(msg);
    const qtype = msg.readUInt16BE(end);
    const known = records[name];
    const answers = (known ?? [])
      .filter((a) => isIP(a) === (qtype === TYPE_AAAA ? 6 : qtype === TYPE_A ? 4 : -1))
      .map((a) => {
        const data = rdata(a);
        const rr = Buffer.alloc(12);
        rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
        rr.writeUInt16BE(qtype, 2);
        rr.writeUInt16BE(1, 4); // class IN
        rr.writeUInt32BE(1, 6); // TTL
        rr.writeUInt16BE(data.length, 10);
        return Buffer.concat([rr, data]);
      });
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // a response, recursion available; NXDOMAIN for unknown names
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, end + 4), ...answers]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  return {
    async resolve(hostname) {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
      const found = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ];
      if (found.length === 0) throw v4.status === 'rejected' ? v4.reason : new Error(`${hostname}: no address`);
      return found;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
