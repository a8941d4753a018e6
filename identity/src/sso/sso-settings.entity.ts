import type { Role } from '@telemetryflow/contract';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One tenant's OIDC single sign-on (migration 0008). */
@Entity({ name: 'sso_settings' })
export class SsoSettingsEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  issuer!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  /** The client secret sealed with the instance's secrets key (secret-box.ts); never answered. */
  @Column({ name: 'client_secret_sealed', type: 'text' })
  clientSecretSealed!: string;

  @Column({ type: 'text', array: true })
  scopes!: string[];

  @Column({ name: 'allowed_email_domains', type: 'text', array: true })
  allowedEmailDomains!: string[];

  @Column({ name: 'role_claim', type: 'text', nullable: true })
  roleClaim!: string | null;

  @Column({ name: 'role_mapping', type: 'jsonb' })
  roleMapping!: { value: string; role: Role }[];

  @Column({ name: 'default_role', type: 'text', nullable: true })
  defaultRole!: Role | null;

  @Column({ name: 'jit_membership', type: 'boolean' })
  jitMembership!: boolean;

  @Column({ name: 'sso_required', type: 'boolean' })
  ssoRequired!: boolean;

  @Column({ name: 'break_glass_user_id', type: 'uuid', nullable: true })
  breakGlassUserId!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
