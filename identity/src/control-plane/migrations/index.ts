import { ControlPlaneInitial1732540800000 } from './0001-control-plane-initial.js';
import { RetentionPolicies1764086400000 } from './0002-retention-policies.js';
import { Identity1764200000000 } from './0003-identity.js';
import { Invitations1764500000000 } from './0005-invitations.js';
import { Sessions1765000000000 } from './0006-sessions.js';
import { SsoSettings1765400000000 } from './0008-sso-settings.js';
import { MfaLockout1765800000000 } from './0009-mfa-lockout.js';
import { AuditOutbox1765900000000 } from './0010-audit-outbox.js';
import { TenantQuotas1765950000000 } from './0011-tenant-quotas.js';
import { RefreshTokenGenerations1766100000000 } from './0013-refresh-token-generations.js';

/**
 * Identity's migrations, in order. Passed to TypeORM as classes, never as a glob. Features
 * that share the database add theirs (dashboards: 0004, Dashboards1764300000000); TypeORM
 * runs all of them in timestamp order, so the order of an existing database never changes.
 */
export const CONTROL_PLANE_MIGRATIONS = [
  ControlPlaneInitial1732540800000,
  RetentionPolicies1764086400000,
  Identity1764200000000,
  Invitations1764500000000,
  Sessions1765000000000,
  SsoSettings1765400000000,
  MfaLockout1765800000000,
  AuditOutbox1765900000000,
  TenantQuotas1765950000000,
  RefreshTokenGenerations1766100000000,
];
