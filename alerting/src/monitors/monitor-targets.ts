import { parseResolver, type CheckSpec } from '@telemetryflow/contract/monitors';

/** The hosts a check connects to as written (an IP literal is judged at creation; a name when the probe connects). */
export function literalTargets(check: CheckSpec): string[] {
  switch (check.kind) {
    case 'http':
      return [new URL(check.url).hostname];
    case 'tcp':
    case 'tls':
      return [check.host];
    case 'dns':
      return check.resolver === undefined ? [] : [parseResolver(check.resolver)?.address ?? check.resolver];
    case 'heartbeat':
      return [];
  }
}
