import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CheckFailure } from '../check-errors.js';
import type { CheckContext } from '../check-context.js';
import type { CheckOutcome } from '../check-result.js';
import { parseResolver, type DnsCheck } from '@telemetryflow/contract/monitors';

type RecordType = DnsCheck['recordType'];

export const RESOLVER_NOT_ALLOWED =
  'resolver address not allowed: private, loopback, link-local or reserved addresses are refused';

/** A name in DNS answers and expectations: lower case, without the root's trailing dot. */
function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** An address in its shortest form (`0:0::1` → `::1`), so expectations need not match the resolver's spelling. */
function canonicalAddress(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** Every answer of one type as text: MX `10 mail.example.com`, SRV `priority weight port target`, TXT its strings joined. */
export async function lookupRecords(resolver: Resolver, name: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return (await resolver.resolve4(name)).map(canonicalAddress);
    case 'AAAA':
      return (await resolver.resolve6(name)).map(canonicalAddress);
    case 'CNAME':
      return (await resolver.resolveCname(name)).map(canonicalName);
    case 'NS':
      return (await resolver.resolveNs(name)).map(canonicalName);
    case 'PTR':
      return (await resolver.resolvePtr(name)).map(canonicalName);
    case 'MX':
      return (await resolver.resolveMx(name)).map((r) => `${r.priority} ${canonicalName(r.exchange)}`);
    case 'SRV':
      return (await resolver.resolveSrv(name)).map(
        (r) => `${r.priority} ${r.weight} ${r.port} ${canonicalName(r.name)}`,
      );
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}

function canonicalExpected(value: string, type: RecordType): string {
  if (type === 'A' || type === 'AAAA') return isIP(value) === 0 ? value : canonicalAddress(value);
  if (type === 'TXT') return value;
  return value
    .split(/\s+/)
    .map((part, i, all) => (i === all.length - 1 ? canonicalName(part) : part))
    .join(' ');
}

/**
 * Asks one resolver for one record type. The monitor's own resolver must pass the address
 * guard (no probing of private DNS servers); the probe's own resolvers (the system's, or
 * `dnsServers`) answer for the operator's network, so an A or AAAA answer from them that
 * the guard refuses fails the check without telling the address: a monitor cannot map
 * internal names.
 */
export async function runDnsCheck(
  spec: DnsCheck,
  ctx: CheckContext,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<CheckOutcome> {
  const own = spec.resolver !== undefined ? parseResolver(spec.resolver) : null;
  if (own && ctx.guard.check(own.address) !== null) throw new CheckFailure(RESOLVER_NOT_ALLOWED);
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (own)
    resolver.setServers([isIP(own.address) === 6 ? `[${own.address}]:${own.port}` : `${own.address}:${own.port}`]);
  else if (ctx.dnsServers?.length) resolver.setServers([...ctx.dnsServers]);
  const cancel = () => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  const started = performance.now();
  let answers: string[];
  try {
    answers = await lookupRecords(resolver, spec.name, spec.recordType);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND') throw new CheckFailure(`${spec.name}: no such domain (NXDOMAIN)`);
    if (code === 'ENODATA') throw new CheckFailure(`${spec.name} has no ${spec.recordType} record`);
    if (code === 'ECANCELLED' && signal.aborted) throw signal.reason;
    throw err;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  const latencyMs = performance.now() - started;
  if (
    !own &&
    (spec.recordType === 'A' || spec.recordType === 'AAAA') &&
    answers.some((a) => ctx.guard.check(a) !== null)
  ) {
    return {
      up: false,
      latencyMs,
      error: `${spec.name} resolves to a private, loopback, link-local or reserved address`,
    };
  }
  const missing = spec.expected.map((e) => canonicalExpected(e, spec.recordType)).filter((e) => !answers.includes(e));
  if (answers.length === 0) return { up: false, latencyMs, error: `${spec.name} has no ${spec.recordType} record` };
  if (missing.length === 0) return { up: true, latencyMs };
  return {
    up: false,
    latencyMs,
    error: `expected ${missing.map((m) => JSON.stringify(m)).join(', ')} among the ${spec.recordType} answers, got ${answers.map((a) => JSON.stringify(a)).join(', ')}`,
  };
}
