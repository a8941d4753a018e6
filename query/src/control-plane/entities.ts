import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { DashboardEntity, DashboardVersionEntity } from '../dashboards/dashboard.entities.js';

/** Roles a user can hold in a tenant, weakest first. */
export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** What an API key may do. */
export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

@Entity({ name: 'tenants' })
export class TenantEntity {
  /** Text id: `default` for the bootstrap tenant, a UUID for tenants created later. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Stored lower-cased; unique. */
  @Column({ type: 'text', unique: true })
  email!: string;

  /** argon2id PHC string. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'memberships' })
export class MembershipEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  role!: Role;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The first characters of the key, shown to users and used to find the row. */
  @Column({ type: 'text' })
  prefix!: string;

  /** Hex sha256 of the whole key. Keys are high-entropy random, so a fast hash is enough. */
  @Column({ name: 'key_hash', type: 'text' })
  keyHash!: string;

  @Column({ type: 'text', array: true })
  scopes!: ApiKeyScope[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}


/** Days a tenant keeps one signal at each resolution; a missing row means the defaults. */
@Entity({ name: 'retention_policies' })
export class RetentionPolicyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** spans, logs or metrics. */
  @PrimaryColumn({ type: 'text' })
  signal!: string;

  @Column({ name: 'raw_days', type: 'integer' })
  rawDays!: number;

  @Column({ name: 'hourly_days', type: 'integer' })
  hourlyDays!: number;

  @Column({ name: 'daily_days', type: 'integer' })
  dailyDays!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const CONTROL_PLANE_ENTITIES = [TenantEntity, UserEntity, MembershipEntity, ApiKeyEntity, RetentionPolicyEntity, DashboardEntity, DashboardVersionEntity];
