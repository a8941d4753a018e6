import { Inject, Injectable } from '@nestjs/common';
import type { AccountExportDto } from '@telemetryflow/contract';
import { ApiError, auditBefore } from '@telemetryflow/http-kit';
import { verifyUserPassword } from '../control-plane/accounts.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { UserEntity } from '../control-plane/entities.js';
import { CONTROL_PLANE } from '../tokens.js';

/** How recent a sign-in deletes an account without the password (what an SSO-only account can give). */
export const RECENT_SIGN_IN_MS = 5 * 60_000;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export type AccountData = Omit<AccountExportDto, 'auditEvents' | 'auditEventsLimit' | 'auditEventsTruncated'>;

/** A user's own account: everything kept about it, and its deletion. */
@Injectable()
export class AccountService {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  /** What the control plane keeps about the user; no password hash, key hash, TOTP secret or recovery code. */
  async export(userId: string): Promise<AccountData> {
    const ds = this.controlPlane.dataSource;
    const user = await ds.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user) throw new ApiError(401, 'unauthenticated', 'this user no longer exists');
    const q = <T>(sql: string) => ds.query(sql, [userId]) as Promise<T[]>;
    const [flags, memberships, sessions, keys, totp, codes, passkeys, sso] = await Promise.all([
      q<{ must_change_password: boolean }>(`SELECT must_change_password FROM users WHERE id = $1`),
      q<{ tenant_id: string; name: string; role: string; created_at: Date }>(
        `SELECT m.tenant_id, t.name, m.role, m.created_at FROM memberships m JOIN tenants t ON t.id = m.tenant_id
          WHERE m.user_id = $1 ORDER BY m.created_at, m.tenant_id`,
      ),
      q<{
        id: string;
        created_at: Date;
        last_used_at: Date;
        expires_at: Date;
        client_address: string | null;
        user_agent: string | null;
        revoked_at: Date | null;
        revoked_reason: string | null;
      }>(
        `SELECT id, created_at, last_used_at, expires_at, client_address, user_agent, revoked_at, revoked_reason
           FROM sessions WHERE user_id = $1 ORDER BY created_at DESC`,
      ),
      q<{
        id: string;
        tenant_id: string;
        name: string;
        prefix: string;
        scopes: string[];
        created_at: Date;
        last_used_at: Date | null;
        revoked_at: Date | null;
      }>(
        `SELECT id, tenant_id, name, prefix, scopes, created_at, last_used_at, revoked_at
           FROM api_keys WHERE created_by_user_id = $1 ORDER BY created_at`,
      ),
      q<{ created_at: Date; confirmed_at: Date | null }>(
        `SELECT created_at, confirmed_at FROM user_totp WHERE user_id = $1`,
      ),
      q<{ total: number; used: number }>(
        `SELECT count(*)::int AS total, count(used_at)::int AS used FROM user_recovery_codes WHERE user_id = $1`,
      ),
      q<{ id: string; name: string; created_at: Date; last_used_at: Date | null }>(
        `SELECT id, name, created_at, last_used_at FROM user_passkeys WHERE user_id = $1 ORDER BY created_at`,
      ),
      q<{ tenant_id: string; issuer: string; sso_required: boolean; break_glass: boolean }>(
        `SELECT s.tenant_id, s.issuer, s.sso_required, s.break_glass_user_id IS NOT DISTINCT FROM $1::uuid AS break_glass
           FROM sso_settings s JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = $1
          ORDER BY s.tenant_id`,
      ),
    ]);
    return {
      exportedAt: new Date().toISOString(),
      user: {
        id: user.id,
        email: user.email,
        createdAt: user.createdAt.toISOString(),
        mustChangePassword: flags[0]?.must_change_password ?? false,
      },
      memberships: memberships.map((m) => ({
        tenantId: m.tenant_id,
        tenantName: m.name,
        role: m.role,
        since: m.created_at.toISOString(),
      })),
      sessions: sessions.map((s) => ({
        id: s.id,
        createdAt: s.created_at.toISOString(),
        lastUsedAt: s.last_used_at.toISOString(),
        expiresAt: s.expires_at.toISOString(),
        clientAddress: s.client_address,
        userAgent: s.user_agent,
        revokedAt: iso(s.revoked_at),
        revokedReason: s.revoked_reason,
      })),
      apiKeys: keys.map((k) => ({
        id: k.id,
        tenantId: k.tenant_id,
        name: k.name,
        prefix: k.prefix,
        scopes: k.scopes,
        createdAt: k.created_at.toISOString(),
        lastUsedAt: iso(k.last_used_at),
        revokedAt: iso(k.revoked_at),
      })),
      mfa: {
        totp: totp[0] ? { createdAt: totp[0].created_at.toISOString(), confirmedAt: iso(totp[0].confirmed_at) } : null,
        recoveryCodes: { total: codes[0]?.total ?? 0, used: codes[0]?.used ?? 0 },
        passkeys: passkeys.map((p) => ({
          id: p.id,
          name: p.name,
          createdAt: p.created_at.toISOString(),
          lastUsedAt: iso(p.last_used_at),
        })),
      },
      ssoIdentities: sso.map((s) => ({
        tenantId: s.tenant_id,
        issuer: s.issuer,
        ssoRequired: s.sso_required,
        breakGlass: s.break_glass,
      })),
    };
  }

  /**
   * Deletes the user: every session ends (on every replica within 5 s), memberships, second
   * factors, sessions and pending invitations to the address go; keys the user created stay with
   * their tenants. Proof: the password, or a session opened within RECENT_SIGN_IN_MS. Refused
   * (409) while the user is the last owner of a tenant. Audit events about the user are kept.
   */
  async delete(userId: string, sessionId: string | undefined, password: string | undefined): Promise<void> {
    const ds = this.controlPlane.dataSource;
    const user = await ds.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user) throw new ApiError(401, 'unauthenticated', 'this user no longer exists');
    // The audit event outlives the account: it names whose account this was.
    auditBefore({ id: user.id, email: user.email });
    if (password !== undefined) {
      if (!(await verifyUserPassword(ds, user.email, password)))
        throw new ApiError(403, 'invalid_credentials', 'the password is wrong');
    } else if (!(await this.signedInRecently(userId, sessionId))) {
      throw new ApiError(
        403,
        'reauthentication_required',
        `confirm with your password, or sign in again (password or single sign-on) and delete within ${RECENT_SIGN_IN_MS / 60_000} minutes`,
      );
    }
    const { ended, announce } = await ds.transaction(async (em) => {
      // Every tenant the user owns, its owners' rows locked: an owner leaving at the same time cannot slip past.
      const owners = (await em.query(
        `SELECT tenant_id FROM memberships
          WHERE role = 'owner' AND tenant_id IN (SELECT tenant_id FROM memberships WHERE user_id = $1 AND role = 'owner')
          FOR UPDATE`,
        [userId],
      )) as { tenant_id: string }[];
      const count = new Map<string, number>();
      for (const o of owners) count.set(o.tenant_id, (count.get(o.tenant_id) ?? 0) + 1);
      const last = [...count]
        .filter(([, n]) => n <= 1)
        .map(([tenant]) => tenant)
        .sort();
      if (last.length > 0)
        throw new ApiError(
          409,
          'last_owner',
          `you are the last owner of ${last.join(', ')}: make someone else owner (or delete the tenant) first`,
          { tenants: last },
        );
      const ended = await this.controlPlane.sessions.revokeAllIn(em, userId, 'account_deleted');
      const announce = await this.controlPlane.membershipEnded(em, userId);
      await em.query(`DELETE FROM invitations WHERE email = $1`, [user.email]);
      await em.query(`DELETE FROM login_failures WHERE scope = 'account' AND subject = $1`, [user.email]);
      // Cascades: memberships, sessions, refresh tokens, TOTP, recovery codes, passkeys, sign-in challenges.
      await em.query(`DELETE FROM users WHERE id = $1`, [userId]);
      return { ended, announce };
    });
    ended.apply();
    announce();
  }

  private async signedInRecently(userId: string, sessionId: string | undefined): Promise<boolean> {
    if (sessionId === undefined) return false;
    const [row] = (await this.controlPlane.dataSource.query(
      `SELECT created_at FROM sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [sessionId, userId],
    )) as { created_at: Date }[];
    return row !== undefined && Date.now() - row.created_at.getTime() <= RECENT_SIGN_IN_MS;
  }
}
