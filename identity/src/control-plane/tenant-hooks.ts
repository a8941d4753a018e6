import type { DataSource, EntityManager, MigrationInterface } from 'typeorm';

/** Runs in the transaction that creates a tenant, after its first owner was added. */
export type TenantCreatedHook = (em: EntityManager, tenantId: string) => Promise<void>;

/**
 * A feature outside identity that keeps its state in the control-plane database (dashboards,
 * alerting): its entities and migrations, and what it does when a tenant is created or the
 * database was migrated. The app root composes the list; identity imports no feature.
 */
export interface ControlPlaneFeature {
  entities?: readonly (new () => object)[];
  migrations?: readonly (new () => MigrationInterface)[];
  onTenantCreated?: TenantCreatedHook;
  /** After the migrations of every process-start, under the migration lock on a shared database. */
  afterMigrations?: (dataSource: DataSource, log: (msg: string) => void) => Promise<void>;
}

/** The subscribers of each open data source; a data source without features has none. */
const subscribers = new WeakMap<DataSource, readonly TenantCreatedHook[]>();

export function subscribeTenantCreated(dataSource: DataSource, features: readonly ControlPlaneFeature[]): void {
  subscribers.set(
    dataSource,
    features.flatMap((f) => (f.onTenantCreated ? [f.onTenantCreated] : [])),
  );
}

/** Tells every feature of `em`'s data source that `tenantId` was just created, in `em`'s transaction. */
export async function publishTenantCreated(em: EntityManager, tenantId: string): Promise<void> {
  for (const hook of subscribers.get(em.dataSource) ?? []) await hook(em, tenantId);
}
