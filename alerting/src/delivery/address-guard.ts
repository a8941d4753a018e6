import { BlockList, isIP } from 'node:net';

/**
 * IPv4 ranges a notification may never reach unless allowed: "this network", private,
 * CGNAT, loopback, link-local, IETF protocol assignments, documentation, the 6to4 relay,
 * benchmarking, multicast and reserved (IANA's special-purpose registry).
 */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/**
 * IPv6 ranges refused outright (those that embed an IPv4 address are judged by it, below):
 * unspecified and loopback, local-use NAT64 (RFC 8215: where the IPv4 address sits depends on the operator's prefix
 * length), discard-only, IETF protocol assignments (Teredo among them, whose client IPv4
 * address is obfuscated; benchmarking; ORCHID), documentation, SRv6 SIDs, unique-local,
 * link-local, the old site-local and multicast.
 */
const BLOCKED_V6: [string, number][] = [
  ['::', 127],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

/**
 * IPv6 ranges that carry an IPv4 address, and where: a connection to one of them reaches
 * (or is translated or tunnelled to) that IPv4 address, so the IPv4 rules decide.
 */
const EMBEDDING_V6: { name: string; prefix: string; bits: number; shift: bigint }[] = [
  { name: 'IPv4-mapped', prefix: '::ffff:0:0', bits: 96, shift: 0n },
  { name: 'IPv4-translated', prefix: '::ffff:0:0:0', bits: 96, shift: 0n },
  { name: 'IPv4-compatible', prefix: '::', bits: 96, shift: 0n },
  { name: 'NAT64', prefix: '64:ff9b::', bits: 96, shift: 0n },
  { name: '6to4', prefix: '2002::', bits: 16, shift: 80n },
];

export class AddressGuardConfigError extends Error {}

/** `10.1.0.0/16,::1/128` → subnets; a bare address is a single host. */
export function parseCidrs(raw: string): BlockList {
  const list = new BlockList();
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [address = '', bits] = part.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      throw new AddressGuardConfigError(`not an address or CIDR: ${JSON.stringify(part)}`);
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

function ipv4Value(dotted: string): number {
  return dotted.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function ipv4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The 128-bit value of an IPv6 address in any notation that `isIP` accepts (`::`, a trailing dotted quad, any case). */
export function ipv6Value(address: string): bigint {
  let text = address.toLowerCase();
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = ipv4Value(quad[1]!);
    text = `${text.slice(0, -quad[1]!.length)}${Math.floor(v4 / 65_536).toString(16)}:${(v4 % 65_536).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const before = head === '' ? [] : head.split(':');
  const after = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? before : [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The IPv4 address an IPv6 address carries (mapped, translated, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): { ipv4: string; form: string } | undefined {
  const value = ipv6Value(address);
  for (const e of EMBEDDING_V6) {
    const drop = BigInt(128 - e.bits);
    if (value >> drop === ipv6Value(e.prefix) >> drop)
      return { ipv4: ipv4Text(Number((value >> e.shift) & 0xffff_ffffn)), form: e.name };
  }
  return undefined;
}

/** Decides, at connect time, whether an address may be reached. */
export class AddressGuard {
  private readonly blocked = new BlockList();

  constructor(private readonly allowed: BlockList = new BlockList()) {
    for (const [a, p] of BLOCKED_V4) this.blocked.addSubnet(a, p, 'ipv4');
    for (const [a, p] of BLOCKED_V6) this.blocked.addSubnet(a, p, 'ipv6');
  }

  /** Null when allowed, else why not. An IPv4 address inside an IPv6 one is judged by the IPv4 rules. */
  check(address: string): string | null {
    const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const family = isIP(bare);
    if (family === 0) return `not an IP address: ${address}`;
    if (family === 4) return this.checkV4(bare, address);
    if (this.allowed.check(bare, 'ipv6')) return null;
    if (this.blocked.check(bare, 'ipv6'))
      return `${address} is a loopback, private, link-local, reserved or tunnelling address`;
    const inner = embeddedIpv4(bare);
    return inner ? this.checkV4(inner.ipv4, `${address} (${inner.form}, ${inner.ipv4})`) : null;
  }

  private checkV4(ipv4: string, shown: string): string | null {
    if (this.allowed.check(ipv4, 'ipv4')) return null;
    return this.blocked.check(ipv4, 'ipv4') ? `${shown} is a private, loopback, link-local or reserved address` : null;
  }
}
