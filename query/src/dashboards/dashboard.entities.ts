import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { DashboardDefinition } from '@telemetryflow/contract';

@Entity({ name: 'dashboards' })
export class DashboardEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** A copy of `definition.title`, for listing and sorting. */
  @Column({ type: 'text' })
  title!: string;

  /** The current version; `dashboard_versions` holds it and every earlier one. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  definition!: DashboardDefinition;

  /** Which built-in template this dashboard was made from (one of each per tenant), else null. */
  @Column({ name: 'built_in', type: 'text', nullable: true })
  builtIn!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'dashboard_versions' })
export class DashboardVersionEntity {
  @PrimaryColumn({ name: 'dashboard_id', type: 'uuid' })
  dashboardId!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  definition!: DashboardDefinition;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** `user:<id>` or `key:<id>` of whoever saved it; null for built-in templates. */
  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;
}
