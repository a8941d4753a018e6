// A real DNS server on loopback (UDP) that answers from a table, for every record type the
// DNS check asks for, and a resolver through it with the checks' `resolve` signature, so
// tests can give names any address without touching the system's DNS.
// (server/test/alerting/dns-server.ts answers A and AAAA only, hand-encoded; this one encodes with
// dns-packet and also answers CNAME, MX, NS, TXT, SRV and PTR.)
import { createSocket } from 'node:dgram';
import type { LookupAddress } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import dnsPacket, { type Answer, type Question } from 'dns-packet';

export interface Records {
  A?: string[];
  AAAA?: string[];
  CNAME?: string[];
  NS?: string[];
  PTR?: string[];
  TXT?: string[];
  MX?: { preference: number; exchange: string }[];
  SRV?: { priority: number; weight: number; port: number; target: string }[];
}

export interface DnsServer {
  /** `127.0.0.1:port`: the value of a DNS check's `resolver`. */
  address: string;
  /** Questions received, as `NAME TYPE`. */
  questions: string[];
  /** A and AAAA addresses of a name through this server only. */
  resolve(hostname: string): Promise<LookupAddress[]>;
  close(): Promise<void>;
}

const NXDOMAIN = 3;

function answersFor(q: Question, records: Records): Answer[] {
  const base = { name: q.name, ttl: 1, class: 'IN' as const };
  switch (q.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'TXT':
      return (records[q.type] ?? []).map((data) => ({ ...base, type: q.type, data }) as Answer);
    case 'MX':
      return (records.MX ?? []).map((data) => ({ ...base, type: 'MX', data }));
    case 'SRV':
      return (records.SRV ?? []).map((data) => ({ ...base, type: 'SRV', data }));
    default:
      return [];
  }
}

/** Answers each name of `zone` (lower case, no trailing dot) from its records; other names do not exist. */
export async function startDnsServer(zone: Record<string, Records>): Promise<DnsServer> {
  const questions: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    const query = dnsPacket.decode(msg);
    const q = query.questions?.[0];
    if (!q) return;
    questions.push(`${q.name} ${q.type}`);
    const records = zone[q.name.toLowerCase().replace(/\.$/, '')];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (records ? 0 : NXDOMAIN),
      questions: [q],
      answers: records ? answersFor(q, records) : [],
    });
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${socket.address().port}`;
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([address]);
  return {
    address,
    questions,
    async resolve(hostname) {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
      const found = [
        ...(v4.status === 'fulfilled' ? v4.value.map((a) => ({ address: a, family: 4 })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((a) => ({ address: a, family: 6 })) : []),
      ];
      if (found.length === 0)
        throw v4.status === 'rejected'
          ? v4.reason
          : Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' });
      return found;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
