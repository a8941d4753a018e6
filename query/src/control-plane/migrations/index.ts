import { ControlPlaneInitial1732540800000 } from './0001-control-plane-initial.js';
import { RetentionPolicies1764086400000 } from './0002-retention-policies.js';
import { Identity1764200000000 } from './0003-identity.js';
import { Dashboards1764300000000 } from './0004-dashboards.js';
import { Invitations1764500000000 } from './0005-invitations.js';

/** Every control-plane migration, in order. Passed to TypeORM as classes, never as a glob. */
export const CONTROL_PLANE_MIGRATIONS = [ControlPlaneInitial1732540800000, RetentionPolicies1764086400000, Identity1764200000000, Dashboards1764300000000, Invitations1764500000000];
