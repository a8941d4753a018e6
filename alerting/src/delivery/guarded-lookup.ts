import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressGuard } from './address-guard.js';

/** A name's addresses: the system's resolver by default, a test's own DNS server in tests. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true });

/** The target is, or resolves to, an address the guard refuses. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'TF_BLOCKED_ADDRESS';
}

/** Refuses an IP-literal host the guard does not allow (a name is judged when the socket connects, by guardedLookup). */
export function assertLiteralAllowed(guard: AddressGuard, host: string): void {
  const bare = host.replace(/^\[|\]$/g, '');
  const why = isIP(bare) !== 0 ? guard.check(bare) : null;
  if (why !== null) throw new BlockedAddressError(`blocked target: ${why}`);
}

/**
 * The `lookup` of a socket (net, tls, http, https) that may only reach allowed addresses. It
 * runs when the socket connects, so the addresses checked are the ones connected to (a DNS
 * answer that changes between a check and the connect cannot slip through); every address
 * of the answer is checked, not only the first: the socket may fall back to another.
 */
export function guardedLookup(guard: AddressGuard, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void;
    resolve(hostname).then(
      (found) => {
        const blocked = found.map((a) => guard.check(a.address)).find((why) => why !== null);
        if (blocked) return cb(new BlockedAddressError(`${hostname} resolves to a blocked address: ${blocked}`), []);
        const addresses =
          options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        if (addresses.length === 0)
          return cb(
            Object.assign(new Error(`${hostname} has no IPv${options.family ?? ''} address`), { code: 'ENOTFOUND' }),
            [],
          );
        if (options.all) return cb(null, addresses);
        cb(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => cb(err, []),
    );
  };
}
