import { KEY_SCOPES, MEMBER_ROLES, type ApiKeyScope, type Role } from '@telemetryflow/contract';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { SsoSettingsEntity } from '../sso/sso-settings.entity.js';

export type { ApiKeyScope, Role };
/** Roles a user can hold in a tenant, weakest first. */
export const ROLES = MEMBER_ROLES;
/** What an API key may do. */
export const API_KEY_SCOPES = KEY_SCOPES;

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

  // Set by the process with last_used_at from one clock reading: a database default would be
  // the transaction's start, later than the process's reading, and a session would be used
  // before it was created.
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** The user who created the key (null for the bootstrap key or when a key created it). */
  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  /** The API key that created this key. */
  @Column({ name: 'created_by_key_id', type: 'uuid', nullable: true })
  createdByKeyId!: string | null;
}

/**
 * One refresh token (only its sha256 is stored). Each refresh marks the token used and
 * issues the next one in the same family; presenting a used token again revokes the family.
 */
/** A pending invitation of `email` into a tenant; accepted, declined or revoked, the row is deleted. */
@Entity({ name: 'invitations' })
export class InvitationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** Lower-cased, as users' emails are. */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ name: 'invited_by_user_id', type: 'uuid', nullable: true })
  invitedByUserId!: string | null;

  @Column({ name: 'invited_by_key_id', type: 'uuid', nullable: true })
  invitedByKeyId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}

@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  /** The session (login) it belongs to; its family id is the session id. */
  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** Its place in the family's chain: the login's first token is 0, each rotation adds one (refresh-reuse.ts). */
  @Column({ type: 'integer', default: 0 })
  generation!: number;
}

/**
 * One sign-in session: a login, the refresh tokens that continue it and the access tokens
 * issued to it (their `sid` claim). Ended (`revoked_at`), its tokens stop working.
 */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  // Set by the process with last_used_at from one clock reading: a database default would be
  // the transaction's start, later than the process's reading, and a session would be used
  // before it was created.
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt!: Date;

  /** When its refresh token runs out; each refresh moves it on. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'client_address', type: 'text', nullable: true })
  clientAddress!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** logout, user, password_change, admin, refresh_reuse. */
  @Column({ name: 'revoked_reason', type: 'text', nullable: true })
  revokedReason!: string | null;
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

export const CONTROL_PLANE_ENTITIES = [
  TenantEntity,
  UserEntity,
  MembershipEntity,
  ApiKeyEntity,
  RetentionPolicyEntity,
  RefreshTokenEntity,
  InvitationEntity,
  SessionEntity,
  SsoSettingsEntity,
];
