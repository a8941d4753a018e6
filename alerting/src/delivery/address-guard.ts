import { BlockList, isIP } from 'node:net';

/** Addresses a notification may never reach unless allowed: private, loopback, link-local, CGNAT and the like. */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const BLOCKED_V6: [string, number][] = [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]];

export class AddressGuardConfigError extends Error {}

/** `10.1.0.0/16,::1/128` → subnets; a bare address is a single host. */
export function parseCidrs(raw: string): BlockList {
  const list = new BlockList();
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
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

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d / ::ffff:xxxx:xxxx) IPv6 address. */
function mappedV4(address: string): string | undefined {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Decides, at connect time, whether an address may be reached. */
export class AddressGuard {
  private readonly blocked = new BlockList();

  constructor(private readonly allowed: BlockList = new BlockList()) {
    for (const [a, p] of BLOCKED_V4) this.blocked.addSubnet(a, p, 'ipv4');
    for (const [a, p] of BLOCKED_V6) this.blocked.addSubnet(a, p, 'ipv6');
  }

  /** Null when allowed, else why not. */
  check(address: string): string | null {
    const bare = address.replace(/^\[|\]$/g, '');
    const v4 = isIP(bare) === 6 ? mappedV4(bare.toLowerCase()) : undefined;
    const [addr, type] = v4 !== undefined ? [v4, 'ipv4' as const] : [bare, isIP(bare) === 6 ? ('ipv6' as const) : ('ipv4' as const)];
    if (isIP(addr) === 0) return `not an IP address: ${address}`;
    if (this.allowed.check(addr, type)) return null;
    return this.blocked.check(addr, type) ? `${address} is a private, loopback, link-local or reserved address` : null;
  }
}
